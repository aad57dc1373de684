import Foundation
import Hazelcast
import HazelcastTestMember
import Locking
import SnapshotSources

/// A producer on a host whose clock is `offset` seconds off the service's: it writes one
/// asset's book into the test member at once and then every 100 ms, stamping `timestamp` and
/// `_pushed_at` by its own clock, until it is stopped (dies). With `frozenAt` it re-pushes the
/// same book (that timestamp) under new push times and sequence numbers.
final class SkewedProducer: Sendable {
    let asset: String
    private let task: Task<Void, Never>
    private let written = Locked<Int64>(0)

    /// The `_push_seq` of the last book written.
    var lastSequence: Int64 { written.withLock { $0 } }

    init(member: HazelcastTestMember, asset: String, offset: Double, frozenAt: Double? = nil) {
        self.asset = asset
        let written = self.written
        @Sendable func push(_ sequence: Int64) {
            let now = Date().timeIntervalSince1970 + offset
            member.put(map: "DOLPHIN_FEATURES", key: HazelcastSnapshotSource.mapKey(for: asset), value: HazelcastData(
                string: ProducerDocument.json(timestamp: frozenAt ?? now, bid: [100, 90], ask: [80, 70], sequence: sequence,
                                              pushedAt: now)))
            written.withLock { $0 = sequence }
        }
        push(1)
        task = Task {
            var sequence: Int64 = 1
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                guard !Task.isCancelled else { return }
                sequence += 1
                push(sequence)
            }
        }
    }

    /// Stops writing; returns once the last write is done.
    func stop() async {
        task.cancel()
        await task.value
    }
}
