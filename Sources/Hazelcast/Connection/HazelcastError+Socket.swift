import Sockets

extension HazelcastError {
    /// A socket step's failure: `.timeout` when it ran out of time, `.io` otherwise.
    package init(_ error: SocketError) {
        self = error.isTimeout ? .timeout(error.description) : .io(error.description)
    }
}
