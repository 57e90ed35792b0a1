// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBatchInbox} from "./interfaces/IBatchInbox.sol";
import {IBatchVerifier, IEquivocationVerifier, IKeyOwnershipVerifier, IPoseidon2, IPoseidon3} from "./interfaces/IGroth16Verifiers.sol";

/// @title BatchInbox: the rollup's L1 side of zkseq (protocol v2).
/// @notice A batch is final the moment its Groth16 proof is accepted, and its fair-ordered transactions are in the
/// calldata of that same call, bound to the proof by a random evaluation. Users force transactions in past a
/// censoring committee through a queue whose Poseidon accumulator the proof must extend; if the committee stalls,
/// anyone finalizes overdue forced entries without it. The committee of every epoch is elected by this contract from
/// its own bond state (top stakes, one seat each); a member that signs two different reports for the same batch and
/// round loses its bond. Once no committee batch has landed for `maxStall` seconds the escape hatch is open, and it
/// stays open (every overdue forced entry can be finalized as it falls due) until the committee's next batch lands.
/// @dev The chain of batches: batch n carries prevBatchHash = the hash of batch n-1 (genesisBatchHash before batch 1).
/// A committee batch's hash is the circuit's 14-input Poseidon header hash; an escape-hatch batch's hash is
/// Poseidon(prevBatchHash, batchNumber, forcedAccTo) (3 inputs, so it can never equal a header hash).
contract BatchInbox is IBatchInbox {
    /// @notice The BN254 scalar field: every public signal must be below it.
    uint256 internal constant FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @notice Transaction hashes are keccak256 of the raw bytes, low 248 bits (as src/txHash.ts and the circuit).
    uint256 internal constant TX_HASH_MASK = (1 << 248) - 1;

    IBatchVerifier public immutable batchVerifier;
    IEquivocationVerifier public immutable equivocationVerifier;
    IKeyOwnershipVerifier public immutable keyOwnershipVerifier;
    IPoseidon2 public immutable poseidon2;
    IPoseidon3 public immutable poseidon3;
    uint8 public immutable committeeDepth;
    uint8 public immutable signerCount;
    /// @notice Seats of an elected committee at most: min(2^D, the largest n with floor(2n/3) + 1 <= Q).
    uint16 public immutable maxMembers;
    uint16 public immutable maxForcedPerBatch;
    uint16 public immutable maxCandidates;
    uint32 public immutable maxTxBytes;
    uint32 public immutable maxBatchBytes;
    uint64 public immutable epochLength;
    uint64 public immutable forceDelay;
    uint64 public immutable maxStall;
    uint64 public immutable exitDelay;
    uint64 public immutable maxTimeDriftMs;
    uint16 public immutable maxEscapeEntries;
    uint16 public immutable reporterRewardBps;
    uint256 public immutable forceFee;
    uint256 public immutable minBond;
    /// @notice What batch 1 takes as prevBatchHash: where a derivation from L1 starts.
    uint256 public immutable genesisBatchHash;

    /// @notice Hash of the last finalized batch (genesisBatchHash before the first).
    uint256 public headBatchHash;
    /// @notice The committee whose quorum must sign the next batch.
    uint256 public committeeHash;

    /// @dev One storage slot, read and written once per batch (and by forceInclude).
    struct Head {
        uint64 nextBatchNumber;
        uint48 lastTimeBase;
        /// When the last committee batch landed (the deployment before batch 1). Escape-hatch batches leave it alone:
        /// the hatch is open from lastCommitteeBatchAt + maxStall until submitBatch moves it again.
        uint40 lastCommitteeBatchAt;
        uint40 forcedConsumed;
        uint40 forcedLength;
        /// A committee is scheduled (pendingCommitteeHash and epochs.handoverAt are set).
        bool pending;
    }

    Head internal head;

    /// @notice The scheduled committee (0 when none is pending).
    uint256 public pendingCommitteeHash;

    /// @dev Committee bookkeeping, read by submitBatch only when a committee is pending.
    struct Epochs {
        uint64 current;
        uint64 tookOfficeAt;
        uint64 handoverAt;
        bool currentUnbacked;
        bool pendingUnbacked;
    }

    Epochs internal epochs;

    /// @notice forcedAcc[i] = the forced queue's accumulator after its first i entries (forcedAcc[0] = 0).
    mapping(uint256 index => uint256) public forcedAcc;
    /// @dev When each forced entry was queued (unix seconds), four 64-bit times per slot.
    mapping(uint256 slot => uint256) internal queuedAtPacked;

    /// @notice Committees this inbox elected (genesis included): slashing evidence may name any of them.
    mapping(uint256 committeeHash => bool) public knownCommittees;
    /// @dev Each epoch's members (memberIds) in leaf order.
    mapping(uint64 epoch => bytes32[]) internal committeeMembers;
    mapping(bytes32 memberId => Bond) internal bonds;
    /// @dev The candidate set: keys with an active bond of at least minBond, not exiting, not slashed (bounded).
    bytes32[] internal candidates;
    /// @notice Slashed wei not paid to reporters: locked in this contract forever.
    uint256 public burnedBonds;

    /// @dev What building a committee tree needs (passed in, so the constructor can use it before immutables exist).
    struct TreeParams {
        IPoseidon2 p2;
        IPoseidon3 p3;
        uint8 depth;
    }

    /// @param cfg immutable parameters (see Config)
    /// @param genesisMembers epoch 0's keys (trusted by the deployer; they need no bond). The committee is elected from
    /// them with the same rule as every epoch: leaves in memberId order, weight 1 each, threshold floor(2n/3) + 1.
    /// @param genesisHash what batch 1 takes as prevBatchHash (non-zero, so no batch pays for a zero-to-non-zero store)
    constructor(Config memory cfg, MemberKey[] memory genesisMembers, uint256 genesisHash) {
        if (cfg.committeeDepth == 0 || cfg.committeeDepth > 16) revert BatchInbox__InvalidConfig("committeeDepth");
        if (cfg.signerCount == 0) revert BatchInbox__InvalidConfig("signerCount");
        if (cfg.maxForcedPerBatch == 0) revert BatchInbox__InvalidConfig("maxForcedPerBatch");
        if (cfg.maxEscapeEntries == 0) revert BatchInbox__InvalidConfig("maxEscapeEntries");
        if (cfg.reporterRewardBps > 10_000) revert BatchInbox__InvalidConfig("reporterRewardBps");
        if (cfg.maxTxBytes == 0 || cfg.maxBatchBytes < cfg.maxTxBytes) revert BatchInbox__InvalidConfig("maxTxBytes");
        if (cfg.epochLength == 0) revert BatchInbox__InvalidConfig("epochLength");
        if (cfg.minBond == 0 || cfg.minBond >= 1 << 128) revert BatchInbox__InvalidConfig("minBond");
        uint256 seats = _maxMembers(cfg.committeeDepth, cfg.signerCount);
        if (seats < cfg.signerCount) revert BatchInbox__InvalidConfig("signerCount");
        if (cfg.maxCandidates < seats) revert BatchInbox__InvalidConfig("maxCandidates");
        if (genesisHash == 0 || genesisHash >= FIELD) revert BatchInbox__InvalidConfig("genesisBatchHash");
        genesisBatchHash = genesisHash;
        batchVerifier = cfg.batchVerifier;
        equivocationVerifier = cfg.equivocationVerifier;
        keyOwnershipVerifier = cfg.keyOwnershipVerifier;
        poseidon2 = cfg.poseidon2;
        poseidon3 = cfg.poseidon3;
        committeeDepth = cfg.committeeDepth;
        signerCount = cfg.signerCount;
        maxMembers = uint16(seats);
        maxForcedPerBatch = cfg.maxForcedPerBatch;
        maxCandidates = cfg.maxCandidates;
        maxTxBytes = cfg.maxTxBytes;
        maxBatchBytes = cfg.maxBatchBytes;
        epochLength = cfg.epochLength;
        forceDelay = cfg.forceDelay;
        maxStall = cfg.maxStall;
        exitDelay = cfg.exitDelay;
        maxTimeDriftMs = cfg.maxTimeDriftMs;
        maxEscapeEntries = cfg.maxEscapeEntries;
        reporterRewardBps = cfg.reporterRewardBps;
        forceFee = cfg.forceFee;
        minBond = cfg.minBond;

        // genesis: the same election, every key at stake 0, so rank order is memberId order
        uint256 n = genesisMembers.length;
        if (n < cfg.signerCount || n > seats) revert BatchInbox__CommitteeNotProvable(n, cfg.signerCount);
        bytes32[] memory ids = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            MemberKey memory k = genesisMembers[i];
            if (k.Ax >= FIELD || k.Ay >= FIELD) revert BatchInbox__InvalidCommittee("key not in field");
            bytes32 id = memberId(k.Ax, k.Ay);
            uint256 j = i;
            for (; j > 0 && ids[j - 1] > id; j--) ids[j] = ids[j - 1];
            if (j > 0 && ids[j - 1] == id) revert BatchInbox__InvalidCommittee("duplicate key");
            ids[j] = id;
            Bond storage b = bonds[id];
            b.Ax = k.Ax;
            b.Ay = k.Ay;
        }
        uint256 genesis = _storeCommittee(ids, 0, 0, TreeParams(cfg.poseidon2, cfg.poseidon3, cfg.committeeDepth));
        committeeHash = genesis;
        headBatchHash = genesisHash;
        epochs = Epochs({current: 0, tookOfficeAt: 1, handoverAt: 0, currentUnbacked: false, pendingUnbacked: false});
        head = Head({nextBatchNumber: 1, lastTimeBase: 0, lastCommitteeBatchAt: uint40(block.timestamp), forcedConsumed: 0, forcedLength: 0, pending: false});
    }

    /// @dev The largest committee a Q-signer proof can serve: n <= 2^D and floor(2n/3) + 1 <= Q, i.e. 2n < 3Q.
    function _maxMembers(uint8 depth, uint8 q) internal pure returns (uint256) {
        uint256 byQ = (3 * uint256(q) - 1) / 2;
        uint256 byTree = uint256(1) << depth;
        return byQ < byTree ? byQ : byTree;
    }

    // ------------------------------------------------------------------ batches

    /// @notice Finalizes a committee batch: checks its header against the inbox's state and its transactions against
    /// the header, verifies its proof, advances the head and emits BatchFinalized (and CommitteeRotated on a handover).
    /// @param h the header as the proof's 11 public signals
    /// @param txs the raw bytes of the batch's fair-ordered transactions, in slot order (forced slots' bytes are
    /// already on L1, in ForceIncluded events): txCount - (forcedTo - forcedFrom) of them
    /// @param proof the Groth16 proof as [a0, a1, b00, b01, b10, b11, c0, c1] (G2 coordinates in EVM order)
    function submitBatch(PackedBatchHeader calldata h, bytes[] calldata txs, uint256[8] calldata proof) external {
        _checkPublicInputs(h);
        Head memory hd = head;
        _checkChain(h, hd);
        bool rotate = _checkCommittees(h, hd);
        uint40 forcedTo = _checkForced(h, hd);
        uint48 timeBase = uint48(h.packedB >> 96);
        if (timeBase < hd.lastTimeBase) revert BatchInbox__TimeBaseWentBack(hd.lastTimeBase, timeBase);
        if (timeBase > block.timestamp * 1000 + maxTimeDriftMs) revert BatchInbox__TimeBaseInFuture(timeBase, block.timestamp * 1000);
        _checkTxData(h, txs, forcedTo - hd.forcedConsumed);
        _verifyBatchProof(h, proof);

        uint64 batchNumber = hd.nextBatchNumber;
        headBatchHash = h.batchHash;
        head = Head({
            nextBatchNumber: batchNumber + 1,
            lastTimeBase: timeBase,
            lastCommitteeBatchAt: uint40(block.timestamp),
            forcedConsumed: forcedTo,
            forcedLength: hd.forcedLength,
            pending: hd.pending && !rotate
        });
        emit BatchFinalized(batchNumber, h.batchHash, h.txRoot, uint16(h.packedA), hd.forcedConsumed, forcedTo, false);
        if (rotate) _rotate(batchNumber);
    }

    /// @dev Every public signal must be a field element (x and x + p are the same to the pairing), the packed words 240-bit.
    function _checkPublicInputs(PackedBatchHeader calldata h) internal pure {
        for (uint256 i = 0; i < 11; i++) {
            uint256 x;
            assembly ("memory-safe") {
                x := calldataload(add(h, mul(i, 32)))
            }
            if (x >= FIELD) revert BatchInbox__PublicInputNotInField(i);
        }
        if ((h.packedA >> 240) != 0) revert BatchInbox__PublicInputNotInField(8);
        if ((h.packedB >> 240) != 0) revert BatchInbox__PublicInputNotInField(9);
    }

    /// @dev Domain, batch number and chain link.
    function _checkChain(PackedBatchHeader calldata h, Head memory hd) internal view {
        uint256 chainId = h.packedA >> 176;
        address inbox = address(uint160(h.packedA >> 16));
        if (chainId != block.chainid || inbox != address(this)) revert BatchInbox__WrongDomain(chainId, inbox);
        uint64 batchNumber = uint64(h.packedB >> 176);
        if (batchNumber != hd.nextBatchNumber) revert BatchInbox__WrongBatchNumber(hd.nextBatchNumber, batchNumber);
        uint256 prev = headBatchHash;
        if (h.prevBatchHash != prev) revert BatchInbox__WrongPrevBatchHash(prev, h.prevBatchHash);
    }

    /// @dev The signing committee is the current one; the next is the pending one from its handover batch on, else the
    /// current one (no header chooses a committee). Returns whether this batch hands over.
    function _checkCommittees(PackedBatchHeader calldata h, Head memory hd) internal view returns (bool rotate) {
        uint256 current = committeeHash;
        if (h.committeeHash != current) revert BatchInbox__WrongCommittee(current, h.committeeHash);
        uint256 expected = current;
        if (hd.pending && hd.nextBatchNumber >= epochs.handoverAt) {
            expected = pendingCommitteeHash;
            rotate = true;
        }
        if (h.nextCommitteeHash != expected) revert BatchInbox__WrongNextCommittee(expected, h.nextCommitteeHash);
    }

    /// @dev The forced range must start at the first unconsumed entry, stay within the queue, match the stored
    /// accumulators at both ends, and leave no overdue entry behind unless the batch's forced slots are full.
    function _checkForced(PackedBatchHeader calldata h, Head memory hd) internal view returns (uint40) {
        uint64 from = uint64(uint48(h.packedB >> 48));
        uint64 to = uint64(uint48(h.packedB));
        if (from != hd.forcedConsumed || to < from || to > hd.forcedLength) revert BatchInbox__ForcedRangeMismatch(hd.forcedConsumed, from, to, hd.forcedLength);
        if (forcedAcc[from] != h.forcedAccFrom || forcedAcc[to] != h.forcedAccTo) revert BatchInbox__ForcedAccumulatorMismatch();
        if (to < hd.forcedLength && to - from < maxForcedPerBatch && uint256(forcedQueuedAt(to)) + forceDelay <= block.timestamp) {
            revert BatchInbox__OverdueForcedEntryOmitted(to);
        }
        return uint40(to);
    }

    /// @dev Binds the calldata's transactions to the proof. With h_j = txHash(txs[j]) and k forced slots:
    /// dataChallenge = keccak256(txRoot, h_0, ..., h_{n-1}) mod p and dataEval = Σ_j h_j · dataChallenge^(k+j) mod p,
    /// which the circuit computes over its fair-ordered slots. The challenge depends on every hash, so a different
    /// list of transactions that matches dataEval would have to be found after fixing the challenge it changes
    /// (Schwartz-Zippel: probability at most B/p per attempt).
    function _checkTxData(PackedBatchHeader calldata h, bytes[] calldata txs, uint256 k) internal view {
        uint256 txCount = uint16(h.packedA);
        uint256 n = txs.length;
        if (txCount < k || n != txCount - k) revert BatchInbox__TxCountMismatch(txCount < k ? 0 : txCount - k, n);
        uint256 maxTx = maxTxBytes;
        uint256 base;
        assembly ("memory-safe") {
            base := mload(0x40)
            mstore(base, calldataload(add(h, 32))) // txRoot
        }
        // raw bytes are copied past the hashes (scratch memory beyond the free memory pointer)
        uint256 scratch = base + 32 * (n + 1);
        uint256 total;
        for (uint256 j = 0; j < n; j++) {
            bytes calldata t = txs[j];
            uint256 len = t.length;
            if (len == 0) revert BatchInbox__EmptyTx(j);
            if (len > maxTx) revert BatchInbox__TxTooLarge(j, len);
            total += len;
            assembly ("memory-safe") {
                calldatacopy(scratch, t.offset, len)
                mstore(add(base, mul(add(j, 1), 32)), and(keccak256(scratch, len), TX_HASH_MASK))
            }
        }
        if (total > maxBatchBytes) revert BatchInbox__BatchTooLarge(total, maxBatchBytes);
        uint256 r;
        uint256 acc;
        assembly ("memory-safe") {
            r := mod(keccak256(base, mul(add(n, 1), 32)), FIELD)
            let pw := 1
            for { let i := 0 } lt(i, k) { i := add(i, 1) } { pw := mulmod(pw, r, FIELD) }
            for { let j := 0 } lt(j, n) { j := add(j, 1) } {
                acc := addmod(acc, mulmod(mload(add(base, mul(add(j, 1), 32))), pw, FIELD), FIELD)
                pw := mulmod(pw, r, FIELD)
            }
        }
        if (r != h.dataChallenge) revert BatchInbox__WrongDataChallenge(r, h.dataChallenge);
        if (acc != h.dataEval) revert BatchInbox__TxDataMismatch();
    }

    /// @dev Calls the verifier with the proof and the header's 11 words straight from calldata
    /// (verifyProof's arguments are static: a, b, c, then the public signals).
    function _verifyBatchProof(PackedBatchHeader calldata h, uint256[8] calldata proof) internal view {
        address verifier = address(batchVerifier);
        bytes4 selector = IBatchVerifier.verifyProof.selector;
        bool ok;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, selector)
            calldatacopy(add(p, 4), proof, 256)
            calldatacopy(add(p, 260), h, 352)
            let success := staticcall(gas(), verifier, p, 612, p, 32)
            ok := and(success, and(eq(returndatasize(), 32), eq(mload(p), 1)))
        }
        if (!ok) revert BatchInbox__InvalidProof();
    }

    /// @dev The pending committee takes office after batch `batchNumber`.
    function _rotate(uint64 batchNumber) internal {
        Epochs memory ep = epochs;
        uint256 from = committeeHash;
        uint256 to = pendingCommitteeHash;
        committeeHash = to;
        pendingCommitteeHash = 0;
        epochs = Epochs({current: ep.current + 1, tookOfficeAt: batchNumber + 1, handoverAt: 0, currentUnbacked: ep.pendingUnbacked, pendingUnbacked: false});
        emit CommitteeRotated(batchNumber, from, to, ep.current + 1);
    }

    /// @notice The escape hatch: once no committee batch has landed for `maxStall` seconds, anyone finalizes the
    /// overdue forced entries (up to `maxEscapeEntries` a call) as a forced-only batch, without a committee proof.
    /// The hatch stays open: a forced-only batch does not restart the stall clock, so later entries are finalized
    /// as each falls due (call again) until the committee's next batch (submitBatch) closes it.
    /// @return batchNumber the number of the forced-only batch
    function finalizeForcedBatch() external returns (uint64 batchNumber) {
        Head memory hd = head;
        uint256 opensAt = uint256(hd.lastCommitteeBatchAt) + maxStall;
        if (block.timestamp < opensAt) revert BatchInbox__NotStalled(opensAt);
        uint40 from = hd.forcedConsumed;
        uint40 to = from;
        while (to < hd.forcedLength && to - from < maxEscapeEntries && uint256(forcedQueuedAt(to)) + forceDelay <= block.timestamp) to++;
        if (to == from) revert BatchInbox__NothingToEscape();

        batchNumber = hd.nextBatchNumber;
        uint256 prev = headBatchHash;
        uint256 accTo = forcedAcc[to];
        uint256 batchHash = poseidon3.poseidon([prev, uint256(batchNumber), accTo]);
        headBatchHash = batchHash;
        hd.nextBatchNumber = batchNumber + 1;
        hd.forcedConsumed = to;
        head = hd;
        emit BatchFinalized(batchNumber, batchHash, 0, to - from, from, to, true);
    }

    /// @notice Whether the escape hatch is open: no committee batch for `maxStall` seconds (it stays open, through
    /// any number of forced-only batches, until the committee's next batch lands).
    function escapeOpen() public view returns (bool) {
        return block.timestamp >= uint256(head.lastCommitteeBatchAt) + maxStall;
    }

    // ------------------------------------------------------------------ forced queue

    /// @notice Queues a raw transaction that the committee must include within `forceDelay` seconds. The inbox hashes
    /// it (keccak256, low 248 bits); its bytes stay in this call's calldata and in the ForceIncluded event.
    /// @param rawTx the transaction's bytes (1 to maxTxBytes)
    /// @return index its position in the forced queue
    function forceInclude(bytes calldata rawTx) external payable returns (uint64 index) {
        if (msg.value < forceFee) revert BatchInbox__InsufficientFee(forceFee, msg.value);
        if (rawTx.length == 0) revert BatchInbox__EmptyTx(0);
        if (rawTx.length > maxTxBytes) revert BatchInbox__TxTooLarge(0, rawTx.length);
        uint256 txHash = uint256(keccak256(rawTx)) & TX_HASH_MASK;
        Head memory hd = head;
        index = hd.forcedLength;
        uint256 acc = poseidon2.poseidon([forcedAcc[index], txHash]);
        forcedAcc[index + 1] = acc;
        queuedAtPacked[index >> 2] |= uint256(block.timestamp) << ((index & 3) * 64);
        hd.forcedLength = uint40(index + 1);
        head = hd;
        emit ForceIncluded(index, txHash, acc, uint64(block.timestamp), msg.sender, rawTx);
    }

    /// @notice When forced entry `index` was queued (unix seconds; 0 if there is no such entry).
    function forcedQueuedAt(uint256 index) public view returns (uint64) {
        return uint64(queuedAtPacked[index >> 2] >> ((index & 3) * 64));
    }

    /// @notice Entries ever queued.
    function forcedQueueLength() external view returns (uint64) {
        return head.forcedLength;
    }

    /// @notice Everything a member checks a header against before signing it, in one call.
    function state() external view returns (InboxState memory s) {
        Head memory hd = head;
        Epochs memory ep = epochs;
        s.headBatchHash = headBatchHash;
        s.nextBatchNumber = hd.nextBatchNumber;
        s.lastTimeBase = hd.lastTimeBase;
        s.lastCommitteeBatchAt = hd.lastCommitteeBatchAt;
        s.escapeOpensAt = uint64(hd.lastCommitteeBatchAt) + maxStall;
        s.escapeOpen = block.timestamp >= s.escapeOpensAt;
        s.maxStall = maxStall;
        s.forcedConsumed = hd.forcedConsumed;
        s.forcedLength = hd.forcedLength;
        s.committeeHash = committeeHash;
        s.epoch = ep.current;
        s.tookOfficeAt = ep.tookOfficeAt;
        s.currentUnbacked = ep.currentUnbacked;
        s.pendingCommitteeHash = pendingCommitteeHash;
        s.handoverAt = ep.handoverAt;
        s.scheduleAllowedAt = ep.tookOfficeAt + epochLength;
        s.maxTimeDriftMs = maxTimeDriftMs;
        s.forceDelay = forceDelay;
        s.maxForcedPerBatch = maxForcedPerBatch;
        s.maxTxBytes = maxTxBytes;
        s.maxBatchBytes = maxBatchBytes;
        s.candidateCount = candidates.length;
    }

    // ------------------------------------------------------------------ committees

    /// @notice Elects the next epoch's committee from the candidate set and schedules it: the top
    /// n = min(maxMembers, #candidates) keys by stake (ties: lower memberId first), weight 1 each, threshold
    /// floor(2n/3) + 1, leaves in rank order. Permissionless; allowed when no committee is pending and either
    /// `epochLength` batches have passed since the current committee took office or one of its members was slashed.
    /// Batch `handoverAt` (= nextBatchNumber + 1) and later must name it as nextCommitteeHash; its members' bonds
    /// are locked until an epoch without them begins.
    /// @return hash the new committee's committeeHash
    function scheduleCommittee() external returns (uint256 hash) {
        Head memory hd = head;
        if (hd.pending) revert BatchInbox__CommitteePending(pendingCommitteeHash);
        Epochs memory ep = epochs;
        uint64 allowedAt = ep.tookOfficeAt + epochLength;
        if (!ep.currentUnbacked && hd.nextBatchNumber < allowedAt) revert BatchInbox__EpochNotOver(allowedAt);
        uint64 handoverAt = hd.nextBatchNumber + 1;
        hash = _storeCommittee(_elect(), ep.current + 1, handoverAt, TreeParams(poseidon2, poseidon3, committeeDepth));
        pendingCommitteeHash = hash;
        epochs.handoverAt = handoverAt;
        head.pending = true;
    }

    /// @dev The top candidates by (stake desc, memberId asc): a selection over the bounded candidate set.
    function _elect() internal view returns (bytes32[] memory ids) {
        uint256 c = candidates.length;
        uint256 n = c < maxMembers ? c : maxMembers;
        if (n < signerCount) revert BatchInbox__CommitteeNotProvable(n, signerCount);
        bytes32[] memory pool = new bytes32[](c);
        uint256[] memory stake = new uint256[](c);
        for (uint256 i = 0; i < c; i++) {
            pool[i] = candidates[i];
            stake[i] = bonds[pool[i]].amount;
        }
        ids = new bytes32[](n);
        for (uint256 r = 0; r < n; r++) {
            uint256 best = r;
            for (uint256 i = r + 1; i < c; i++) {
                if (stake[i] > stake[best] || (stake[i] == stake[best] && pool[i] < pool[best])) best = i;
            }
            (pool[r], pool[best]) = (pool[best], pool[r]);
            (stake[r], stake[best]) = (stake[best], stake[r]);
            ids[r] = pool[r];
        }
    }

    /// @dev Builds the committee tree exactly as src/committee.ts and the circuit (leaf = Poseidon(Ax, Ay, 1), empty
    /// leaves 0, binary Poseidon tree of depth D, committeeHash = Poseidon(root, threshold, epoch)), records it, locks
    /// its members' bonds through `epoch` and emits CommitteeScheduled.
    function _storeCommittee(bytes32[] memory ids, uint64 epoch, uint64 handoverAt, TreeParams memory t) internal returns (uint256 hash) {
        uint256 n = ids.length;
        MemberKey[] memory keys = new MemberKey[](n);
        uint256[] memory level = new uint256[](n);
        for (uint256 i = 0; i < n; i++) {
            Bond storage b = bonds[ids[i]];
            keys[i] = MemberKey(b.Ax, b.Ay);
            b.lockedUntilEpoch = epoch + 1;
            level[i] = t.p3.poseidon([b.Ax, b.Ay, uint256(1)]);
        }
        uint256 zero = 0;
        for (uint256 d = 0; d < t.depth; d++) {
            uint256 width = (n + 1) / 2;
            for (uint256 k = 0; k < width; k++) {
                uint256 right = 2 * k + 1 < n ? level[2 * k + 1] : zero;
                level[k] = t.p2.poseidon([level[2 * k], right]);
            }
            n = width;
            zero = t.p2.poseidon([zero, zero]);
        }
        uint64 threshold = uint64((2 * ids.length) / 3 + 1);
        hash = t.p3.poseidon([level[0], uint256(threshold), uint256(epoch)]);
        knownCommittees[hash] = true;
        committeeMembers[epoch] = ids;
        emit CommitteeScheduled(epoch, hash, level[0], threshold, handoverAt, keys);
    }

    /// @notice The memberIds of an epoch's committee, in leaf order (empty for an epoch not elected yet).
    function committeeOf(uint64 epoch) external view returns (bytes32[] memory) {
        return committeeMembers[epoch];
    }

    /// @notice The candidate set (unordered).
    function candidateIds() external view returns (bytes32[] memory) {
        return candidates;
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

    /// @notice Bonds ETH against a member key. The first bond needs at least `minBond` and a KeyOwnership proof that
    /// the sender knows the key's scalar (the proof's `owner` is msg.sender, so it cannot be copied by someone else),
    /// which also shows the key is in BabyJubjub's prime-order subgroup. The prover owns the bond; later calls are
    /// top-ups by the owner (`proof` is then ignored). A bond of at least minBond makes the key a candidate.
    function bond(uint256 Ax, uint256 Ay, uint256[8] calldata proof) external payable {
        if (Ax >= FIELD) revert BatchInbox__PublicInputNotInField(0);
        if (Ay >= FIELD) revert BatchInbox__PublicInputNotInField(1);
        bytes32 id = memberId(Ax, Ay);
        Bond storage b = bonds[id];
        if (b.slashed) revert BatchInbox__AlreadySlashed(id);
        if (b.owner == address(0)) {
            if (msg.value < minBond) revert BatchInbox__BondTooSmall(minBond, msg.value);
            uint256[3] memory pub = [Ax, Ay, uint256(uint160(msg.sender))];
            if (!keyOwnershipVerifier.verifyProof([proof[0], proof[1]], [[proof[2], proof[3]], [proof[4], proof[5]]], [proof[6], proof[7]], pub)) {
                revert BatchInbox__InvalidProof();
            }
            b.owner = msg.sender;
            b.Ax = Ax;
            b.Ay = Ay;
        } else if (b.owner != msg.sender) {
            revert BatchInbox__NotBondOwner(id, b.owner);
        }
        if (b.exitAt != 0) revert BatchInbox__BondExiting(id, b.exitAt);
        uint256 total = uint256(b.amount) + msg.value;
        b.amount = uint128(total); // total wei in existence is far below 2^128
        emit Bonded(id, msg.sender, msg.value, total);
        if (b.candidateSlot == 0) _enterCandidates(id, b);
    }

    /// @dev Adds a bond to the candidate set; when the set is full, the bond replaces the lowest-ranked candidate if
    /// it ranks above it (more stake, or equal stake and a lower memberId), else it waits outside (a top-up retries).
    function _enterCandidates(bytes32 id, Bond storage b) internal {
        uint256 stake = b.amount;
        if (stake < minBond) return;
        uint256 c = candidates.length;
        if (c < maxCandidates) {
            candidates.push(id);
            b.candidateSlot = uint16(c + 1);
            emit CandidateAdded(id, stake);
            return;
        }
        uint256 low = 0;
        uint256 lowStake = bonds[candidates[0]].amount;
        for (uint256 i = 1; i < c; i++) {
            uint256 s = bonds[candidates[i]].amount;
            if (s < lowStake || (s == lowStake && candidates[i] > candidates[low])) (low, lowStake) = (i, s);
        }
        bytes32 lowId = candidates[low];
        if (stake < lowStake || (stake == lowStake && id > lowId)) return;
        bonds[lowId].candidateSlot = 0;
        candidates[low] = id;
        b.candidateSlot = uint16(low + 1);
        emit CandidateRemoved(lowId);
        emit CandidateAdded(id, stake);
    }

    /// @dev Removes a bond from the candidate set (swap with the last).
    function _leaveCandidates(bytes32 id, Bond storage b) internal {
        uint256 slot = b.candidateSlot;
        if (slot == 0) return;
        bytes32 last = candidates[candidates.length - 1];
        candidates[slot - 1] = last;
        bonds[last].candidateSlot = uint16(slot);
        candidates.pop();
        b.candidateSlot = 0;
        emit CandidateRemoved(id);
    }

    /// @notice Starts the exit: the bond leaves the candidate set and can be withdrawn `exitDelay` seconds from now;
    /// it stays slashable until then. Refused while the key serves in the current or the pending committee.
    function requestUnbond(bytes32 id) external {
        Bond storage b = bonds[id];
        if (b.owner != msg.sender) revert BatchInbox__NotBondOwner(id, b.owner);
        if (b.slashed) revert BatchInbox__AlreadySlashed(id);
        if (b.exitAt != 0) revert BatchInbox__BondExiting(id, b.exitAt);
        if (b.lockedUntilEpoch > epochs.current) revert BatchInbox__BondLocked(id, b.lockedUntilEpoch);
        b.exitAt = uint64(block.timestamp + exitDelay);
        _leaveCandidates(id, b);
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

    /// @notice Slashes a member that signed two different reports for the same (chainId, inbox, batchNumber, round):
    /// `reporterRewardBps` of its bond goes to the `reporter` the evidence names (not the sender: copying someone's
    /// pending slash pays the copier nothing), the rest is burned. Once per member. A slashed member of the current
    /// committee leaves it unbacked: anyone may schedule a new committee at once.
    /// @param e the Equivocation proof's 8 public signals
    /// @param proof the Groth16 proof as [a0, a1, b00, b01, b10, b11, c0, c1]
    function slash(Equivocation calldata e, uint256[8] calldata proof) external {
        uint256[8] memory pub = [e.committeeHash, e.chainId, e.inbox, e.batchNumber, e.round, e.Ax, e.Ay, e.reporter];
        for (uint256 i = 0; i < 8; i++) {
            if (pub[i] >= FIELD) revert BatchInbox__PublicInputNotInField(i);
        }
        if (e.reporter == 0 || e.reporter >> 160 != 0) revert BatchInbox__InvalidReporter(e.reporter);
        if (!knownCommittees[e.committeeHash]) revert BatchInbox__UnknownCommittee(e.committeeHash);
        if (e.chainId != block.chainid || e.inbox != uint256(uint160(address(this)))) revert BatchInbox__WrongDomain(e.chainId, address(uint160(e.inbox)));
        bytes32 id = memberId(e.Ax, e.Ay);
        Bond storage b = bonds[id];
        if (b.slashed) revert BatchInbox__AlreadySlashed(id);
        if (b.amount == 0 && b.lockedUntilEpoch == 0) revert BatchInbox__NoBond(id);
        if (!equivocationVerifier.verifyProof([proof[0], proof[1]], [[proof[2], proof[3]], [proof[4], proof[5]]], [proof[6], proof[7]], pub)) {
            revert BatchInbox__InvalidProof();
        }
        uint256 amount = b.amount;
        b.amount = 0;
        b.slashed = true;
        _leaveCandidates(id, b);
        _markUnbacked(id, b.lockedUntilEpoch);
        uint256 reward = (amount * reporterRewardBps) / 10_000;
        burnedBonds += amount - reward;
        address reporter = address(uint160(e.reporter));
        emit MemberSlashed(id, uint64(e.batchNumber), uint32(e.round), reporter, reward, amount - reward);
        if (reward > 0) {
            (bool ok,) = reporter.call{value: reward}("");
            if (!ok) revert BatchInbox__TransferFailed();
        }
    }

    /// @dev A committee is current only while its members' bonds back it: a slashed member of the current (or the
    /// pending) committee lets anyone schedule a new committee at once (once the pending one took office).
    function _markUnbacked(bytes32 id, uint64 lockedUntil) internal {
        Epochs storage ep = epochs;
        uint64 current = ep.current;
        if (lockedUntil <= current) return; // serves in neither
        if (lockedUntil > current + 1) ep.pendingUnbacked = true; // a member of the pending committee
        bool inCurrent = lockedUntil == current + 1;
        if (!inCurrent) {
            bytes32[] storage m = committeeMembers[current];
            for (uint256 i = 0; i < m.length && !inCurrent; i++) inCurrent = m[i] == id;
        }
        if (inCurrent) ep.currentUnbacked = true;
    }
}
