// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBatchVerifier, IEquivocationVerifier, IPoseidon2, IPoseidon3} from "./IGroth16Verifiers.sol";

/// @title The zkseq batch inbox: its types, errors and events.
interface IBatchInbox {
    /// @notice A batch header exactly as the Batch circuit's 9 public signals, in snarkjs order.
    /// packedA = chainId << 176 | inbox << 16 | txCount;
    /// packedB = batchNumber << 176 | timeBase << 128 | forcedFrom << 64 | forcedTo.
    struct PackedBatchHeader {
        uint256 batchHash;
        uint256 txRoot;
        uint256 prevBatchHash;
        uint256 committeeHash;
        uint256 nextCommitteeHash;
        uint256 forcedAccFrom;
        uint256 forcedAccTo;
        uint256 packedA;
        uint256 packedB;
    }

    /// @notice Slashing evidence, as the Equivocation circuit's 6 public signals.
    struct Equivocation {
        uint256 committeeHash;
        uint256 chainId;
        uint256 inbox;
        uint256 batchNumber;
        uint256 Ax;
        uint256 Ay;
    }

    /// @notice A committee member: its BabyJubjub public key and stake weight.
    struct CommitteeMember {
        uint256 Ax;
        uint256 Ay;
        uint64 weight;
    }

    /// @notice Deployment parameters (immutable).
    struct Config {
        IBatchVerifier batchVerifier;
        IEquivocationVerifier equivocationVerifier;
        IPoseidon2 poseidon2;
        IPoseidon3 poseidon3;
        /// Committee Merkle depth D of the Batch build (and of the Equivocation build).
        uint8 committeeDepth;
        /// Forced slots F of the Batch build: a batch that includes F forced entries has done its part.
        uint16 maxForcedPerBatch;
        /// Seconds after which a forced entry is overdue and must be in the next batch.
        uint64 forceDelay;
        /// Seconds without a finalized batch after which anyone may finalize overdue forced entries.
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
        /// Wei a member must have bonded to be in a registered committee.
        uint256 minBond;
    }

    /// @notice A member's bond. `memberId = keccak256(abi.encode(Ax, Ay))`.
    struct Bond {
        address owner;
        uint64 exitAt;
        bool slashed;
        uint256 amount;
    }

    // ---- errors ----
    error BatchInbox__InvalidConfig(string reason);
    error BatchInbox__PublicInputNotInField(uint256 index);
    error BatchInbox__WrongDomain(uint256 chainId, address inbox);
    error BatchInbox__WrongBatchNumber(uint64 expected, uint64 got);
    error BatchInbox__WrongPrevBatchHash(uint256 expected, uint256 got);
    error BatchInbox__WrongCommittee(uint256 expected, uint256 got);
    error BatchInbox__UnknownNextCommittee(uint256 committeeHash);
    error BatchInbox__ForcedRangeMismatch(uint64 expectedFrom, uint64 from, uint64 to, uint64 queueLength);
    error BatchInbox__ForcedAccumulatorMismatch();
    error BatchInbox__OverdueForcedEntryOmitted(uint64 index);
    error BatchInbox__TimeBaseWentBack(uint48 last, uint48 got);
    error BatchInbox__TimeBaseInFuture(uint48 got, uint256 nowMs);
    error BatchInbox__InvalidProof();
    error BatchInbox__InsufficientFee(uint256 required, uint256 paid);
    error BatchInbox__InvalidTxHash(uint256 txHash);
    error BatchInbox__NotStalled(uint256 stalledAt);
    error BatchInbox__NothingToEscape();
    error BatchInbox__UnknownCommittee(uint256 committeeHash);
    error BatchInbox__NoBond(bytes32 memberId);
    error BatchInbox__AlreadySlashed(bytes32 memberId);
    error BatchInbox__NotBondOwner(bytes32 memberId, address owner);
    error BatchInbox__BondExiting(bytes32 memberId, uint64 exitAt);
    error BatchInbox__ExitNotRequested(bytes32 memberId);
    error BatchInbox__ExitDelayNotOver(bytes32 memberId, uint64 exitAt);
    error BatchInbox__InvalidCommittee(string reason);
    error BatchInbox__MemberNotBonded(uint256 index, bytes32 memberId);
    error BatchInbox__TransferFailed();

    // ---- events ----
    /// @notice A batch is final. `forcedOnly` batches come from the escape hatch (no committee proof; txRoot is 0
    /// and its transactions are the forced entries [forcedFrom, forcedTo)).
    /// Its prevBatchHash is the batchHash of the event before it, and the committee that signed it is the one named
    /// by the last CommitteeRotated before it (or the genesis committee).
    event BatchFinalized(uint64 indexed batchNumber, uint256 batchHash, uint256 txRoot, uint256 txCount, uint64 forcedFrom, uint64 forcedTo, bool forcedOnly);
    event CommitteeRotated(uint64 indexed batchNumber, uint256 fromCommittee, uint256 toCommittee);
    event CommitteeRegistered(uint256 indexed committeeHash, uint256 root, uint64 thresholdWeight, uint64 epoch, bytes32[] memberIds);
    event ForceIncluded(uint64 indexed index, uint256 txHash, uint256 accumulator, uint64 queuedAt, address indexed sender);
    event Bonded(bytes32 indexed memberId, address indexed owner, uint256 amount, uint256 total);
    event UnbondRequested(bytes32 indexed memberId, uint64 exitAt);
    event BondWithdrawn(bytes32 indexed memberId, address indexed owner, uint256 amount);
    event MemberSlashed(bytes32 indexed memberId, uint64 batchNumber, address indexed reporter, uint256 reward, uint256 burned);
}
