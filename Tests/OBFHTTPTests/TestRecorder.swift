import Locking
import OBFHTTP

/// What the test handler saw of the server's own answers, of the connection gauge and of its deferred work.
final class TestRecorder: Sendable {
    /// A step of deferred work, or one a test records beside them to check their order.
    enum Event: Equatable, Sendable {
        case deferredStarted
        /// The work found its task cancelled when its sleep ended.
        case deferredCancelled
        case deferredReturned
        case shutdownReturned
        case tlsHandshake(resumed: Bool)
        case tlsRefused(TLSRefusal)
    }

    private struct Record {
        var answered: [(Int, String)] = []
        var counts: [Int] = []
        var events: [Event] = []
    }
    private let record = Locked(Record())

    func recordAnswer(_ status: Int, _ code: String) {
        record.withLock { $0.answered.append((status, code)) }
    }

    func recordCount(_ count: Int) {
        record.withLock { $0.counts.append(count) }
    }

    func record(_ event: Event) {
        record.withLock { $0.events.append(event) }
    }

    /// Deferred requests whose work has begun (they are in flight).
    var deferredStarted: Int { count(of: .deferredStarted) }
    var deferredCancelled: Int { count(of: .deferredCancelled) }

    var answers: [(Int, String)] { record.withLock { $0.answered } }
    var connectionCounts: [Int] { record.withLock { $0.counts } }
    var events: [Event] { record.withLock { $0.events } }

    func count(of event: Event) -> Int {
        record.withLock { $0.events.count { $0 == event } }
    }
}
