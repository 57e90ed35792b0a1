// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBatchInbox} from "./interfaces/IBatchInbox.sol";
import {IBatchVerifier, IEquivocationVerifier, IPoseidon2, IPoseidon3} from "./interfaces/IGroth16Verifiers.sol";

/// @title BatchInbox: the rollup's L1 side of zkseq.
/// @notice A batch is final the moment its Groth16 proof is accepted. Users force transactions in past a
/// censoring committee through a queue whose Poseidon accumulator the proof must extend; if the committee
/// stalls, anyone finalizes overdue forced entries without it; a member that signs two different reports for
/// the same batch loses its bond.
/// @dev The chain of batches: batch n carries prevBatchHash = the hash of batch n-1 (0 before batch 1).
/// A committee batch's hash is the circuit's Poseidon header hash; an escape-hatch batch's hash is
/// Poseidon(prevBatchHash, batchNumber, forcedAccTo) (3 inputs, so it can never equal a 13-input header hash).
/// The committee's next batch builds on whichever came last: it takes headBatchHash as prevBatchHash,
/// nextBatchNumber as batchNumber and forcedConsumed as forcedFrom.
contract BatchInbox is IBatchInbox {
    /// @notice The BN254 scalar field: every public signal must be below it.
    uint256 internal constant FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @notice Forced transaction hashes are 248-bit (keccak256 truncated), as in the circuit.
    uint256 internal constant TX_HASH_LIMIT = 1 << 248;

    IBatchVerifier public immutable batchVerifier;
    IEquivocationVerifier public immutable equivocationVerifier;
    IPoseidon2 public immutable poseidon2;
    IPoseidon3 public immutable poseidon3;
    uint8 public immutable committeeDepth;
    uint16 public immutable maxForcedPerBatch;
    uint64 public immutable forceDelay;
    uint64 public immutable maxStall;
    uint64 public immutable exitDelay;
    uint64 public immutable maxTimeDriftMs;
    uint16 public immutable maxEscapeEntries;
    uint16 public immutable reporterRewardBps;
    uint256 public immutable forceFee;
    uint256 public immutable minBond;

    /// @notice Hash of the last finalized batch (genesisBatchHash before the first).
    uint256 public headBatchHash;
    /// @notice The committee whose quorum must sign the next batch.
    uint256 public committeeHash;

    /// @dev One storage slot, read and written once per batch (and by forceInclude).
    struct Head {
        uint64 nextBatchNumber;
        uint48 lastTimeBase;
        uint40 lastFinalizedAt;
        uint40 forcedConsumed;
        uint40 forcedLength;
    }

    Head internal head;

    /// @notice forcedAcc[i] = the forced queue's accumulator after its first i entries (forcedAcc[0] = 0).
    mapping(uint256 index => uint256) public forcedAcc;
    /// @dev When each forced entry was queued (unix seconds), four 64-bit times per slot: three of every four
    /// forceInclude calls then write a slot that is already non-zero (about 17,000 gas less).
    mapping(uint256 slot => uint256) internal queuedAtPacked;

    /// @notice Committees that were ever current or registered (slashing evidence may name any of them).
    mapping(uint256 committeeHash => bool) public knownCommittees;
    mapping(bytes32 memberId => Bond) internal bonds;
    /// @notice Slashed wei not paid to reporters: locked in this contract forever.
    uint256 public burnedBonds;

    /// @param cfg immutable parameters (see Config)
    /// @param genesisCommitteeHash the first committee (its members can bond after deployment)
    /// @param genesisBatchHash what batch 1 takes as prevBatchHash (non-zero, so no batch pays for a zero-to-non-zero store)
    constructor(Config memory cfg, uint256 genesisCommitteeHash, uint256 genesisBatchHash) {
        if (cfg.committeeDepth == 0 || cfg.committeeDepth > 16) revert BatchInbox__InvalidConfig("committeeDepth");
        if (cfg.maxForcedPerBatch == 0) revert BatchInbox__InvalidConfig("maxForcedPerBatch");
        if (cfg.maxEscapeEntries == 0) revert BatchInbox__InvalidConfig("maxEscapeEntries");
        if (cfg.reporterRewardBps > 10_000) revert BatchInbox__InvalidConfig("reporterRewardBps");
        if (genesisCommitteeHash == 0 || genesisCommitteeHash >= FIELD) revert BatchInbox__InvalidConfig("genesisCommitteeHash");
        if (genesisBatchHash == 0 || genesisBatchHash >= FIELD) revert BatchInbox__InvalidConfig("genesisBatchHash");
        batchVerifier = cfg.batchVerifier;
        equivocationVerifier = cfg.equivocationVerifier;
        poseidon2 = cfg.poseidon2;
        poseidon3 = cfg.poseidon3;
        committeeDepth = cfg.committeeDepth;
        maxForcedPerBatch = cfg.maxForcedPerBatch;
        forceDelay = cfg.forceDelay;
        maxStall = cfg.maxStall;
        exitDelay = cfg.exitDelay;
        maxTimeDriftMs = cfg.maxTimeDriftMs;
        maxEscapeEntries = cfg.maxEscapeEntries;
        reporterRewardBps = cfg.reporterRewardBps;
        forceFee = cfg.forceFee;
        minBond = cfg.minBond;

        committeeHash = genesisCommitteeHash;
        headBatchHash = genesisBatchHash;
        knownCommittees[genesisCommitteeHash] = true;
        head = Head({nextBatchNumber: 1, lastTimeBase: 0, lastFinalizedAt: uint40(block.timestamp), forcedConsumed: 0, forcedLength: 0});
    }

    // ------------------------------------------------------------------ batches

    /// @notice Finalizes a committee batch: checks its header against the inbox's state, verifies its proof,
    /// advances the head and emits BatchFinalized (and CommitteeRotated on a handover).
    /// @param h the header as the proof's public signals
    /// @param proof the Groth16 proof as [a0, a1, b00, b01, b10, b11, c0, c1] (G2 coordinates in EVM order)
    function submitBatch(PackedBatchHeader calldata h, uint256[8] calldata proof) external {
        _checkPublicInputs(h);
        Head memory hd = head;
        uint256 current = _checkChain(h, hd);
        uint40 forcedTo = _checkForced(h, hd);
        uint48 timeBase = uint48(h.packedB >> 128);
        if (timeBase < hd.lastTimeBase) revert BatchInbox__TimeBaseWentBack(hd.lastTimeBase, timeBase);
        if (timeBase > block.timestamp * 1000 + maxTimeDriftMs) revert BatchInbox__TimeBaseInFuture(timeBase, block.timestamp * 1000);
        _verifyBatchProof(h, proof);

        uint64 batchNumber = hd.nextBatchNumber;
        headBatchHash = h.batchHash;
        head = Head({
            nextBatchNumber: batchNumber + 1,
            lastTimeBase: timeBase,
            lastFinalizedAt: uint40(block.timestamp),
            forcedConsumed: forcedTo,
            forcedLength: hd.forcedLength
        });
        emit BatchFinalized(batchNumber, h.batchHash, h.txRoot, uint16(h.packedA), hd.forcedConsumed, forcedTo, false);
        if (h.nextCommitteeHash != current) {
            committeeHash = h.nextCommitteeHash;
            emit CommitteeRotated(batchNumber, current, h.nextCommitteeHash);
        }
    }

    /// @dev Every public signal must be a field element (x and x + p are the same to the pairing), the packed words 240-bit.
    function _checkPublicInputs(PackedBatchHeader calldata h) internal pure {
        for (uint256 i = 0; i < 9; i++) {
            uint256 x;
            assembly ("memory-safe") {
                x := calldataload(add(h, mul(i, 32)))
            }
            if (x >= FIELD) revert BatchInbox__PublicInputNotInField(i);
        }
        if ((h.packedA >> 240) != 0) revert BatchInbox__PublicInputNotInField(7);
        if ((h.packedB >> 240) != 0) revert BatchInbox__PublicInputNotInField(8);
    }

    /// @dev Domain, batch number, chain link and committee; returns the current committee.
    function _checkChain(PackedBatchHeader calldata h, Head memory hd) internal view returns (uint256 current) {
        uint256 chainId = h.packedA >> 176;
        address inbox = address(uint160(h.packedA >> 16));
        if (chainId != block.chainid || inbox != address(this)) revert BatchInbox__WrongDomain(chainId, inbox);
        uint64 batchNumber = uint64(h.packedB >> 176);
        if (batchNumber != hd.nextBatchNumber) revert BatchInbox__WrongBatchNumber(hd.nextBatchNumber, batchNumber);
        uint256 prev = headBatchHash;
        if (h.prevBatchHash != prev) revert BatchInbox__WrongPrevBatchHash(prev, h.prevBatchHash);
        current = committeeHash;
        if (h.committeeHash != current) revert BatchInbox__WrongCommittee(current, h.committeeHash);
        if (h.nextCommitteeHash != current && !knownCommittees[h.nextCommitteeHash]) revert BatchInbox__UnknownNextCommittee(h.nextCommitteeHash);
    }

    /// @dev The forced range must start at the first unconsumed entry, stay within the queue, match the stored
    /// accumulators at both ends, and leave no overdue entry behind unless the batch's forced slots are full.
    function _checkForced(PackedBatchHeader calldata h, Head memory hd) internal view returns (uint40) {
        uint64 from = uint64(h.packedB >> 64);
        uint64 to = uint64(h.packedB);
        if (from != hd.forcedConsumed || to < from || to > hd.forcedLength) revert BatchInbox__ForcedRangeMismatch(hd.forcedConsumed, from, to, hd.forcedLength);
        if (forcedAcc[from] != h.forcedAccFrom || forcedAcc[to] != h.forcedAccTo) revert BatchInbox__ForcedAccumulatorMismatch();
        if (to < hd.forcedLength && to - from < maxForcedPerBatch && uint256(forcedQueuedAt(to)) + forceDelay <= block.timestamp) {
            revert BatchInbox__OverdueForcedEntryOmitted(to);
        }
        return uint40(to);
    }

    /// @dev Calls the verifier with the proof and the header's 9 words straight from calldata
    /// (verifyProof's arguments are static: a, b, c, then the public signals).
    function _verifyBatchProof(PackedBatchHeader calldata h, uint256[8] calldata proof) internal view {
        address verifier = address(batchVerifier);
        bytes4 selector = IBatchVerifier.verifyProof.selector;
        bool ok;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, selector)
            calldatacopy(add(p, 4), proof, 256)
            calldatacopy(add(p, 260), h, 288)
            let success := staticcall(gas(), verifier, p, 548, p, 32)
            ok := and(success, and(eq(returndatasize(), 32), eq(mload(p), 1)))
        }
        if (!ok) revert BatchInbox__InvalidProof();
    }

    /// @notice The escape hatch: when no batch was finalized for `maxStall` seconds, anyone finalizes the overdue
    /// forced entries (up to `maxEscapeEntries`) as a forced-only batch, without a committee proof.
    /// @return batchNumber the number of the forced-only batch
    function finalizeForcedBatch() external returns (uint64 batchNumber) {
        Head memory hd = head;
        uint256 stalledAt = uint256(hd.lastFinalizedAt) + maxStall;
        if (block.timestamp < stalledAt) revert BatchInbox__NotStalled(stalledAt);
        uint40 from = hd.forcedConsumed;
        uint40 to = from;
        while (to < hd.forcedLength && to - from < maxEscapeEntries && uint256(forcedQueuedAt(to)) + forceDelay <= block.timestamp) to++;
        if (to == from) revert BatchInbox__NothingToEscape();

        batchNumber = hd.nextBatchNumber;
        uint256 prev = headBatchHash;
        uint256 accTo = forcedAcc[to];
        uint256 batchHash = poseidon3.poseidon([prev, uint256(batchNumber), accTo]);
        headBatchHash = batchHash;
        head = Head({nextBatchNumber: batchNumber + 1, lastTimeBase: hd.lastTimeBase, lastFinalizedAt: uint40(block.timestamp), forcedConsumed: to, forcedLength: hd.forcedLength});
        emit BatchFinalized(batchNumber, batchHash, 0, to - from, from, to, true);
    }

    // ------------------------------------------------------------------ forced queue

    /// @notice Queues a transaction hash that the committee must include within `forceDelay` seconds.
    /// @param txHash the transaction's 248-bit hash (keccak256 of its bytes, top byte dropped)
    /// @return index its position in the forced queue
    function forceInclude(uint256 txHash) external payable returns (uint64 index) {
        if (msg.value < forceFee) revert BatchInbox__InsufficientFee(forceFee, msg.value);
        if (txHash >= TX_HASH_LIMIT) revert BatchInbox__InvalidTxHash(txHash);
        Head memory hd = head;
        index = hd.forcedLength;
        uint256 acc = poseidon2.poseidon([forcedAcc[index], txHash]);
        forcedAcc[index + 1] = acc;
        queuedAtPacked[index >> 2] |= uint256(block.timestamp) << ((index & 3) * 64);
        hd.forcedLength = uint40(index + 1);
        head = hd;
        emit ForceIncluded(index, txHash, acc, uint64(block.timestamp), msg.sender);
    }

    /// @notice When forced entry `index` was queued (unix seconds; 0 if there is no such entry).
    function forcedQueuedAt(uint256 index) public view returns (uint64) {
        return uint64(queuedAtPacked[index >> 2] >> ((index & 3) * 64));
    }

    /// @notice Entries ever queued.
    function forcedQueueLength() external view returns (uint64) {
        return head.forcedLength;
    }

    /// @notice The head of the batch chain.
    function state()
        external
        view
        returns (uint256 batchHash, uint64 nextBatchNumber, uint256 currentCommittee, uint48 lastTimeBase, uint40 lastFinalizedAt, uint64 forcedConsumed)
    {
        Head memory hd = head;
        return (headBatchHash, hd.nextBatchNumber, committeeHash, hd.lastTimeBase, hd.lastFinalizedAt, hd.forcedConsumed);
    }

    // ------------------------------------------------------------------ committees

    /// @notice Makes a committee known, so a batch header may hand over to it. Every member must have an active
    /// bond of at least `minBond`; keys must be distinct; weights positive; 0 < thresholdWeight <= total weight.
    /// @dev Computes the committee tree exactly as the circuit: leaf = Poseidon(Ax, Ay, weight), empty leaves 0,
    /// binary Poseidon tree of depth `committeeDepth`, committeeHash = Poseidon(root, thresholdWeight, epoch).
    /// @return hash the committeeHash
    function registerCommittee(CommitteeMember[] calldata members, uint64 thresholdWeight, uint64 epoch) external returns (uint256 hash) {
        uint256 n = members.length;
        uint256 size = 1 << committeeDepth;
        if (n == 0 || n > size) revert BatchInbox__InvalidCommittee("member count");
        bytes32[] memory ids = new bytes32[](n);
        uint256[] memory level = new uint256[](size);
        uint256 total;
        for (uint256 i = 0; i < n; i++) {
            (ids[i], level[i]) = _memberLeaf(members[i], i);
            for (uint256 j = 0; j < i; j++) {
                if (ids[j] == ids[i]) revert BatchInbox__InvalidCommittee("duplicate key");
            }
            total += members[i].weight;
        }
        if (thresholdWeight == 0 || thresholdWeight > total) revert BatchInbox__InvalidCommittee("threshold");
        for (uint256 width = size; width > 1; width >>= 1) {
            for (uint256 k = 0; k < width / 2; k++) {
                level[k] = poseidon2.poseidon([level[2 * k], level[2 * k + 1]]);
            }
        }
        hash = poseidon3.poseidon([level[0], uint256(thresholdWeight), uint256(epoch)]);
        knownCommittees[hash] = true;
        emit CommitteeRegistered(hash, level[0], thresholdWeight, epoch, ids);
    }

    /// @dev A member's id and leaf, after checking its key, weight and bond.
    function _memberLeaf(CommitteeMember calldata m, uint256 i) internal view returns (bytes32 id, uint256 leaf) {
        if (m.Ax >= FIELD || m.Ay >= FIELD) revert BatchInbox__InvalidCommittee("key not in field");
        if (m.weight == 0) revert BatchInbox__InvalidCommittee("zero weight");
        id = memberId(m.Ax, m.Ay);
        Bond storage b = bonds[id];
        if (b.amount == 0 || b.amount < minBond || b.exitAt != 0 || b.slashed) revert BatchInbox__MemberNotBonded(i, id);
        leaf = poseidon3.poseidon([m.Ax, m.Ay, uint256(m.weight)]);
    }

    // ------------------------------------------------------------------ bonds and slashing

    /// @notice A member's id: keccak256 of its BabyJubjub public key.
    function memberId(uint256 Ax, uint256 Ay) public pure returns (bytes32) {
        return keccak256(abi.encode(Ax, Ay));
    }

    /// @notice A member's bond.
    function bondOf(bytes32 id) external view returns (Bond memory) {
        return bonds[id];
    }

    /// @notice Bonds ETH against a member key. The first bonder owns the bond; only it can add to it or withdraw it.
    function bond(uint256 Ax, uint256 Ay) external payable {
        bytes32 id = memberId(Ax, Ay);
        Bond storage b = bonds[id];
        if (b.slashed) revert BatchInbox__AlreadySlashed(id);
        if (b.owner == address(0)) b.owner = msg.sender;
        else if (b.owner != msg.sender) revert BatchInbox__NotBondOwner(id, b.owner);
        if (b.exitAt != 0) revert BatchInbox__BondExiting(id, b.exitAt);
        b.amount += msg.value;
        emit Bonded(id, msg.sender, msg.value, b.amount);
    }

    /// @notice Starts the exit: the bond can be withdrawn `exitDelay` seconds from now and stays slashable until then.
    function requestUnbond(bytes32 id) external {
        Bond storage b = bonds[id];
        if (b.owner != msg.sender) revert BatchInbox__NotBondOwner(id, b.owner);
        if (b.slashed) revert BatchInbox__AlreadySlashed(id);
        if (b.exitAt != 0) revert BatchInbox__BondExiting(id, b.exitAt);
        b.exitAt = uint64(block.timestamp + exitDelay);
        emit UnbondRequested(id, b.exitAt);
    }

    /// @notice Withdraws a bond whose exit delay is over.
    function withdrawBond(bytes32 id) external {
        Bond storage b = bonds[id];
        if (b.owner != msg.sender) revert BatchInbox__NotBondOwner(id, b.owner);
        if (b.slashed) revert BatchInbox__AlreadySlashed(id);
        if (b.exitAt == 0) revert BatchInbox__ExitNotRequested(id);
        if (block.timestamp < b.exitAt) revert BatchInbox__ExitDelayNotOver(id, b.exitAt);
        uint256 amount = b.amount;
        delete bonds[id];
        emit BondWithdrawn(id, msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert BatchInbox__TransferFailed();
    }

    /// @notice Slashes a member that signed two different reports for the same (chainId, inbox, batchNumber):
    /// `reporterRewardBps` of its bond goes to the caller, the rest is burned. Once per member.
    /// @param e the Equivocation proof's public signals
    /// @param proof the Groth16 proof as [a0, a1, b00, b01, b10, b11, c0, c1]
    function slash(Equivocation calldata e, uint256[8] calldata proof) external {
        uint256[6] memory pub = [e.committeeHash, e.chainId, e.inbox, e.batchNumber, e.Ax, e.Ay];
        for (uint256 i = 0; i < 6; i++) {
            if (pub[i] >= FIELD) revert BatchInbox__PublicInputNotInField(i);
        }
        if (!knownCommittees[e.committeeHash]) revert BatchInbox__UnknownCommittee(e.committeeHash);
        if (e.chainId != block.chainid || e.inbox != uint256(uint160(address(this)))) revert BatchInbox__WrongDomain(e.chainId, address(uint160(e.inbox)));
        bytes32 id = memberId(e.Ax, e.Ay);
        Bond storage b = bonds[id];
        if (b.slashed) revert BatchInbox__AlreadySlashed(id);
        if (b.amount == 0) revert BatchInbox__NoBond(id);
        if (!equivocationVerifier.verifyProof([proof[0], proof[1]], [[proof[2], proof[3]], [proof[4], proof[5]]], [proof[6], proof[7]], pub)) {
            revert BatchInbox__InvalidProof();
        }
        uint256 amount = b.amount;
        b.amount = 0;
        b.slashed = true;
        uint256 reward = (amount * reporterRewardBps) / 10_000;
        burnedBonds += amount - reward;
        emit MemberSlashed(id, uint64(e.batchNumber), msg.sender, reward, amount - reward);
        if (reward > 0) {
            (bool ok,) = msg.sender.call{value: reward}("");
            if (!ok) revert BatchInbox__TransferFailed();
        }
    }
}
