import ServiceLifecycle

/// A service whose work runs elsewhere (a source's client, the record's threads) and only has to be
/// stopped: it waits for the graceful shutdown (or the group's cancellation), stops, and returns.
struct StopOnShutdown: Service, CustomStringConvertible {
    let description: String
    let stop: @Sendable () async -> Void

    func run() async {
        try? await gracefulShutdown()
        await stop()
    }
}
