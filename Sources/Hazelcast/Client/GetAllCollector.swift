import Locking

/// Takes the responses of a batched Map.GetAll as they arrive: each one is decoded and its values
/// handed to `found` with their positions in the key list, on the connection's reader thread,
/// so the caller's work on them overlaps with the member still answering other partitions.
final class GetAllCollector: Sendable {
    private let plan: GetAllPlan
    private let found: @Sendable (Int, HazelcastData) -> Void
    private let firstError = Locked<HazelcastError?>(nil)

    init(plan: GetAllPlan, found: @escaping @Sendable (Int, HazelcastData) -> Void) {
        self.plan = plan
        self.found = found
    }

    /// Takes one Map.GetAll response; an undecodable one makes `check()` throw.
    func add(_ response: ClientMessage) {
        do {
            for (key, value) in try MapGetAllCodec.decodeResponse(response) {
                for position in plan.positions(of: key) { found(position, value) }
            }
        } catch {
            firstError.withLock { $0 = $0 ?? error }
        }
    }

    /// Throws the first decoding error, if any.
    func check() throws(HazelcastError) {
        if let error = firstError.withLock({ $0 }) { throw error }
    }
}
