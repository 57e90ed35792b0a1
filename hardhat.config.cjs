// Hardhat 2 (with viem). solc comes from the `solc` npm package (soljson.js,
// WebAssembly) instead of Hardhat's download, which needs the internet.
require("@nomicfoundation/hardhat-viem");
const { subtask } = require("hardhat/config");
const { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } = require("hardhat/builtin-tasks/task-names");

const SOLC_VERSION = require("solc/package.json").version;

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args) => {
  if (args.solcVersion !== SOLC_VERSION) {
    throw new Error(`zkseq compiles with solc ${SOLC_VERSION} from npm; the config asks for ${args.solcVersion}`);
  }
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion: require("solc").version(),
  };
});

/** @type {import("hardhat/config").HardhatUserConfig} */
module.exports = {
  solidity: {
    version: SOLC_VERSION,
    settings: { optimizer: { enabled: true, runs: 10_000 }, evmVersion: "cancun" },
  },
  paths: { sources: "contracts", artifacts: "artifacts", cache: "cache/hardhat", tests: "test/contracts" },
  networks: {
    hardhat: { chainId: 31337 },
  },
};
