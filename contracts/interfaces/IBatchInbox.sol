// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBatchVerifier, IEquivocationVerifier, IKeyOwnershipVerifier, IPoseidon2, IPoseidon3} from "./IGroth16Verifiers.sol";

/// @title The zkseq batch inbox (protocol v2): its types, errors and events.
interface IBatchInbox {
    /// @notice A batch header exactly as the Batch circuit's 11 public signals, in snarkjs order.
    /// packedA = chainId << 176 | inbox << 16 | txCount;
    /// packedB = batchNumber << 176 | round << 144 | timeBase << 96 | forcedFrom << 48 | forcedTo.
    struct PackedBatchHeader {
        uint256 batchHash;
        uint256 txRoot;
        /// Σ over the fair-ordered slots i of txHash_i · dataChallenge^i (mod p): binds the calldata's transactions.
        uint256 dataEval;
        uint256 prevBatchHash;
        uint256 committeeHash;
        uint256 nextCommitteeHash;
        uint256 forcedAccFrom;
        uint256 forcedAccTo;
        uint256 packedA;
        uint256 packedB;
        /// keccak256(txRoot, txHash_0, ..., txHash_{n-1}) mod p over the fair-ordered transactions.
        uint256 dataChallenge;
    }

    /// @notice Slashing evidence, as the Equivocation circuit's 8 public signals.
    struct Equivocation {
        uint256 committeeHash;
        uint256 chainId;
        uint256 inbox;
        uint256 batchNumber;
        uint256 round;
        uint256 Ax;
        uint256 Ay;
        /// The address the evidence names: it receives the reward, whoever sends the transaction.
        uint256 reporter;
    }

    /// @notice A BabyJubjub public key.
    struct MemberKey {
        uint256 Ax;
        uint256 Ay;
    }

    /// @notice Deployment parameters (immutable).
    struct Config {
        IBatchVerifier batchVerifier;
        IEquivocationVerifier equivocationVerifier;
        IKeyOwnershipVerifier keyOwnershipVerifier;
        IPoseidon2 poseidon2;
        IPoseidon3 poseidon3;
        /// Committee Merkle depth D of the Batch build (and of the Equivocation build).
        uint8 committeeDepth;
        /// Signer slots Q of the Batch build: every proof carries exactly Q distinct signers.
        uint8 signerCount;
        /// Forced slots F of the Batch build: a batch that includes F forced entries has done its part.
        uint16 maxForcedPerBatch;
        /// Bonded keys that compete for committee seats at most (the lowest stake is evicted for a higher one).
        uint16 maxCandidates;
        /// Bytes of one raw transaction at most (forceInclude and submitBatch).
        uint32 maxTxBytes;
        /// Bytes of a batch's raw transactions together at most.
        uint32 maxBatchBytes;
        /// Batches a committee serves before anyone may schedule the next one.
        uint64 epochLength;
        /// Seconds after which a forced entry is overdue and must be in the next batch.
        uint64 forceDelay;
        /// Seconds without a committee batch after which the escape hatch opens: anyone may finalize overdue forced
        /// entries, as each falls due, until the committee's next batch closes it.
        uint64 maxStall;
        /// Seconds between an unbond request and the withdrawal (slashing evidence can land meanwhile).
        uint64 exitDelay;
        /// Milliseconds a batch's timeBase may be ahead of the block's timestamp (L1 block times lag the wall clock).
        uint64 maxTimeDriftMs;
        /// Forced entries one escape-hatch call finalizes at most.
        uint16 maxEscapeEntries;
        /// Basis points of a slashed bond paid to the reporter; the rest is burned (locked forever).
        uint16 reporterRewardBps;
        /// Wei a forceInclude costs at least.
        uint256 forceFee;
        /// Wei a key must have bonded to be a candidate for a committee seat.
        uint256 minBond;
    }

    /// @notice A member key's bond. `memberId = keccak256(abi.encode(Ax, Ay))`.
    struct Bond {
        /// Who proved control of the key (KeyOwnership proof bound to it); only it tops up, unbonds, withdraws.
        address owner;
        /// When the exit delay ends (0: no exit requested).
        uint64 exitAt;
        bool slashed;
        /// 1 + the key's index in the candidate list (0: not a candidate).
        uint16 candidateSlot;
        /// Wei bonded.
        uint128 amount;
        /// The bond is locked while the current epoch is below this (1 + the last epoch whose committee has the key).
        uint64 lockedUntilEpoch;
        uint256 Ax;
        uint256 Ay;
    }

    /// @notice Everything a member node checks a header against, in one call.
    struct InboxState {
        uint256 headBatchHash;
        uint64 nextBatchNumber;
        uint48 lastTimeBase;
        /// When the last committee batch landed (the deployment before batch 1); forced-only batches leave it alone.
        uint40 lastCommitteeBatchAt;
        /// lastCommitteeBatchAt + maxStall: from then on the escape hatch is open, until a committee batch lands.
        uint64 escapeOpensAt;
        /// The escape hatch is open at this block (finalizeForcedBatch finalizes whatever forced entries are overdue).
        bool escapeOpen;
        uint64 maxStall;
        uint64 forcedConsumed;
        uint64 forcedLength;
        /// The current committee (signs the next batch), its epoch, and the first batch it signed.
        uint256 committeeHash;
        uint64 epoch;
        uint64 tookOfficeAt;
        /// A member of the current committee was slashed: a new committee may be scheduled at once.
        bool currentUnbacked;
        /// The scheduled committee (0: none) and the batch number from which headers must name it as next.
        uint256 pendingCommitteeHash;
        uint64 handoverAt;
        /// The first batch number at which scheduleCommittee is allowed by the epoch length.
        uint64 scheduleAllowedAt;
        uint64 maxTimeDriftMs;
        uint64 forceDelay;
        uint16 maxForcedPerBatch;
        uint32 maxTxBytes;
        uint32 maxBatchBytes;
        uint256 candidateCount;
    }

    // ---- errors ----
    error BatchInbox__InvalidConfig(string reason);
    error BatchInbox__PublicInputNotInField(uint256 index);
    error BatchInbox__WrongDomain(uint256 chainId, address inbox);
    error BatchInbox__WrongBatchNumber(uint64 expected, uint64 got);
    error BatchInbox__WrongPrevBatchHash(uint256 expected, uint256 got);
    error BatchInbox__WrongCommittee(uint256 expected, uint256 got);
    error BatchInbox__WrongNextCommittee(uint256 expected, uint256 got);
    error BatchInbox__ForcedRangeMismatch(uint64 expectedFrom, uint64 from, uint64 to, uint64 queueLength);
    error BatchInbox__ForcedAccumulatorMismatch();
    error BatchInbox__OverdueForcedEntryOmitted(uint64 index);
    error BatchInbox__TimeBaseWentBack(uint48 last, uint48 got);
    error BatchInbox__TimeBaseInFuture(uint48 got, uint256 nowMs);
    error BatchInbox__TxCountMismatch(uint256 expected, uint256 got);
    error BatchInbox__EmptyTx(uint256 index);
    error BatchInbox__TxTooLarge(uint256 index, uint256 size);
    error BatchInbox__BatchTooLarge(uint256 size, uint256 max);
    error BatchInbox__WrongDataChallenge(uint256 expected, uint256 got);
    error BatchInbox__TxDataMismatch();
    error BatchInbox__InvalidProof();
    error BatchInbox__InsufficientFee(uint256 required, uint256 paid);
    error BatchInbox__NotStalled(uint256 stalledAt);
    error BatchInbox__NothingToEscape();
    error BatchInbox__UnknownCommittee(uint256 committeeHash);
    error BatchInbox__NoBond(bytes32 memberId);
    error BatchInbox__AlreadySlashed(bytes32 memberId);
    error BatchInbox__NotBondOwner(bytes32 memberId, address owner);
    error BatchInbox__BondTooSmall(uint256 required, uint256 paid);
    error BatchInbox__BondExiting(bytes32 memberId, uint64 exitAt);
    error BatchInbox__BondLocked(bytes32 memberId, uint64 untilEpoch);
    error BatchInbox__ExitNotRequested(bytes32 memberId);
    error BatchInbox__ExitDelayNotOver(bytes32 memberId, uint64 exitAt);
    error BatchInbox__InvalidCommittee(string reason);
    error BatchInbox__CommitteeNotProvable(uint256 members, uint256 signerCount);
    error BatchInbox__CommitteePending(uint256 committeeHash);
    error BatchInbox__EpochNotOver(uint64 allowedAt);
    error BatchInbox__InvalidReporter(uint256 reporter);
    error BatchInbox__TransferFailed();

    // ---- events ----
    /// @notice A batch is final. `forcedOnly` batches come from the escape hatch (no committee proof; txRoot is 0
    /// and its transactions are the forced entries [forcedFrom, forcedTo)). A committee batch's fair-ordered raw
    /// transactions are the `txs` argument of its submitBatch call (decode the transaction's calldata).
    event BatchFinalized(uint64 indexed batchNumber, uint256 batchHash, uint256 txRoot, uint256 txCount, uint64 forcedFrom, uint64 forcedTo, bool forcedOnly);
    /// @notice The committee of `epoch` takes office: it signs batches from `batchNumber + 1` on.
    event CommitteeRotated(uint64 indexed batchNumber, uint256 fromCommittee, uint256 toCommittee, uint64 epoch);
    /// @notice The inbox elected the committee of `epoch` (epoch 0: the genesis committee). `members` are its keys in
    /// leaf order (each weight 1): rebuild its tree with src/committee.ts to sign for it.
    event CommitteeScheduled(uint64 indexed epoch, uint256 committeeHash, uint256 root, uint64 thresholdWeight, uint64 handoverAt, MemberKey[] members);
    event ForceIncluded(uint64 indexed index, uint256 txHash, uint256 accumulator, uint64 queuedAt, address indexed sender, bytes rawTx);
    event Bonded(bytes32 indexed memberId, address indexed owner, uint256 amount, uint256 total);
    event CandidateAdded(bytes32 indexed memberId, uint256 stake);
    event CandidateRemoved(bytes32 indexed memberId);
    event UnbondRequested(bytes32 indexed memberId, uint64 exitAt);
    event BondWithdrawn(bytes32 indexed memberId, address indexed owner, uint256 amount);
    event MemberSlashed(bytes32 indexed memberId, uint64 batchNumber, uint32 round, address indexed reporter, uint256 reward, uint256 burned);
}
