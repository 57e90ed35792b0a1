// Minimal typings for the untyped zk libraries zkseq uses. Only what zkseq calls.
declare module "circomlibjs" {
  export function buildEddsa(): Promise<any>;
  export function buildPoseidon(): Promise<any>;
  export function buildBabyjub(): Promise<any>;
  export const poseidonContract: any;
}
declare module "snarkjs" {
  export const groth16: any;
  export const zKey: any;
  export const wtns: any;
  export const r1cs: any;
  export const powersOfTau: any;
}
declare module "ffjavascript" {
  export function buildBn128(singleThread?: boolean): Promise<any>;
  export const Scalar: any;
  export const utils: any;
}
declare module "r1csfile" {
  export function readR1cs(fileName: string, options: Record<string, unknown>): Promise<any>;
}
declare module "@iden3/binfileutils" {
  export function readBinFile(fileName: string, type: string, maxVersion: number, cacheSize?: number, pageSize?: number): Promise<{ fd: any; sections: any }>;
}
