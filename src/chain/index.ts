/** zkseq's chain client: typed viem wrappers of the BatchInbox, deployment, and the generated ABIs. */
export * from "./abi.js";
export * from "./solidity.js";
export * from "./artifacts.js";
export * from "./deploy.js";
export * from "./inboxClient.js";
export { verifierContractName, writeVerifierSources, VERIFIERS_DIR } from "./verifierSources.js";
export { compileContracts, writeAbiModule } from "./compileContracts.js";
export * from "./clients.js";
export { PACKAGED_CONTRACTS, PACKAGED_CONTRACTS_DIR, writePackagedContracts } from "./packagedContracts.js";
export { compileSolidity, SOLC_SETTINGS } from "./solc.js";
