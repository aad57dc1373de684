import Locking

/// The certificate and key new TLS connections are served with, replaceable while the server
/// runs (`HTTPServer.reloadTLS()`): connections already open keep the context they started with.
final class TLSCredentials: Sendable {
    let configuration: TLSServerConfiguration
    private let loaded: Locked<TLSServerContext>

    /// Loads the files; throws when they cannot serve (see `TLSServerContext.load(_:)`).
    init(configuration: TLSServerConfiguration) throws(HTTPServerSetupError) {
        self.configuration = configuration
        loaded = Locked(try TLSServerContext.load(configuration))
    }

    /// What the next connection is served with.
    var current: TLSServerContext {
        loaded.withLock { $0 }
    }

    /// Reads the files again and serves new connections with them; when they cannot serve, throws
    /// and the previous certificate stays in use.
    func reload() throws(HTTPServerSetupError) -> TLSServerContext {
        let fresh = try TLSServerContext.load(configuration)
        loaded.withLock { $0 = fresh }
        return fresh
    }
}
