// The lab files the scale-out tests place: the reference lab's network alone (clabernetes takes
// no QEMU guest, and the placement goldens weigh nodes only), the others from labs/.
export const MTDC_NETWORK = 'tests/fixtures/labs/mtdc-network/fabric.yml';

export function labPath(lab: string): string {
  return lab === 'mtdc' ? MTDC_NETWORK : `labs/${lab}/fabric.yml`;
}
