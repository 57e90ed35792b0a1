/** A multi-party Groth16 phase 2 (trusted setup ceremony) over snarkjs's zkey format: see docs/setup.md. */
export { initCeremony, type InitCeremonyOptions, type InitCeremonyResult } from "./initCeremony.js";
export { contributeToCeremony, checkContributorName, type ContributeOptions, type ContributeResult } from "./contributeToCeremony.js";
export { applyBeacon, type BeaconOptions } from "./applyBeacon.js";
export { verifyCeremonyZkey, type VerifyZkeyOptions } from "./verifyCeremonyZkey.js";
export { verifyTranscript, type TranscriptReport } from "./verifyTranscript.js";
export { finalizeCeremony, type FinalizeOptions, type FinalizeResult } from "./finalizeCeremony.js";
export { installCeremonyKeys, type InstallOptions } from "./installCeremonyKeys.js";
export { readContributions, type ZkeyContribution, type ZkeyMpcParams } from "./readContributions.js";
export { checkCeremonyPtau, knownPtauList, type CeremonyPtau, type KnownPtau } from "./ceremonyPtau.js";
export { readTranscript, TRANSCRIPT_FORMAT, type Transcript, type TranscriptEntry } from "./transcript.js";
