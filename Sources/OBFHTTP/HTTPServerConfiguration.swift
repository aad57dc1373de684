#if canImport(Glibc)
import Glibc
#endif

/// Address, limits and timeouts of an `HTTPServer`.
public struct HTTPServerConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port; `HTTPServer.start()` returns the bound one.
    public var port: Int
    /// Open connections; the next one is answered 503 and closed.
    public var maxConnections: Int
    /// Request line plus header fields, in bytes.
    public var maxHeaderBytes: Int
    public var maxHeaderCount: Int
    public var maxBodyBytes: Int
    /// A request must arrive in full within this time of its first byte.
    public var headerReadTimeout: Duration
    /// A keep-alive connection with nothing to do is closed after this; also bounds a stalled write.
    public var idleTimeout: Duration
    /// How long `shutdown()` lets in-flight requests finish; deferred work still running then is cancelled.
    public var shutdownGrace: Duration
    public var eventLoopCount: Int
    /// When set, the server speaks HTTPS only (TLS 1.2 or later) with this certificate.
    public var tls: TLSServerConfiguration?

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        maxConnections: Int = 512,
        maxHeaderBytes: Int = 16 * 1024,
        maxHeaderCount: Int = 100,
        maxBodyBytes: Int = 64 * 1024,
        headerReadTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(60),
        shutdownGrace: Duration = .seconds(5),
        eventLoopCount: Int = HTTPServerConfiguration.coreCount,
        tls: TLSServerConfiguration? = nil
    ) {
        self.host = host
        self.port = port
        self.maxConnections = maxConnections
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.headerReadTimeout = headerReadTimeout
        self.idleTimeout = idleTimeout
        self.shutdownGrace = shutdownGrace
        self.eventLoopCount = eventLoopCount
        self.tls = tls
    }

    /// The number of online processors, at least 1.
    public static var coreCount: Int {
        max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }
}
