/// Changes of the client's connection state.
public enum HazelcastClientEvent: Sendable, Equatable {
    /// A connection was authenticated; `isReconnect` is true after an earlier loss.
    case connected(member: HazelcastAddress, isReconnect: Bool)
    /// The connection was lost; the client reconnects by itself.
    case disconnected(member: HazelcastAddress, reason: String)
    /// One connection attempt failed (sent for every attempt while disconnected).
    case connectionAttemptFailed(member: HazelcastAddress, error: HazelcastError)
    /// `shutdown()` completed; no further events follow.
    case shutdown
}
