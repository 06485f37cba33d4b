// Folder layering: no cycle between modules, and (checked on the folder-collapsed graph by
// scripts/check-layers.sh) none between the folders of src/ either.
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'a cycle between modules means two concepts cannot be read, tested or replaced apart',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'judges-run-nothing',
      severity: 'error',
      comment: 'suites read what the probe recorded; a command run from a judge would judge a live machine',
      from: { path: '^src/conformance/suites/' },
      to: { path: '^src/(hostnet/|conformance/(flow-probe|fault-probe)[.])' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs'],
    },
  },
};
