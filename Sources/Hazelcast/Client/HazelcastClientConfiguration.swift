/// The configuration of a `HazelcastClient`. Defaults match the official clients where they have one.
public struct HazelcastClientConfiguration: Sendable {
    /// Members to connect to, tried in order (failover through the list).
    public var members: [HazelcastAddress]
    /// The cluster name the members must be configured with.
    public var clusterName: String
    /// Optional credentials (username/password authentication).
    public var username: String?
    public var password: String?
    /// The client name shown on the member; a unique one is generated when nil.
    public var clientName: String?
    /// Three-letter client type announced to the member.
    public var clientType: String
    /// Labels announced to the member.
    public var labels: [String]
    /// Time allowed to open a TCP connection and to authenticate on it.
    public var connectTimeout: Duration
    /// Default time a request may wait for its response.
    public var invocationTimeout: Duration
    /// A ping is sent on a connection nothing was written to for this long.
    public var heartbeatInterval: Duration
    /// A connection nothing was read from for this long is closed.
    public var heartbeatTimeout: Duration
    /// Pause after a round of failed connection attempts; grows by `reconnectMultiplier` up to `reconnectMaxBackoff`.
    public var reconnectInitialBackoff: Duration
    public var reconnectMaxBackoff: Duration
    public var reconnectMultiplier: Double
    /// Each pause is varied randomly by up to this fraction (0.2: ±20 %).
    public var reconnectJitter: Double
    /// A write blocked this long (the member does not read) fails and closes the connection.
    public var writeTimeout: Duration
    /// Connect to every member and send each key's requests to its partition's owner.
    /// Off: one connection, through which the member forwards to the owners.
    public var smartRouting: Bool
    /// TLS on every connection to a member; nil: plain TCP.
    public var tls: HazelcastTLSConfiguration?

    public init(
        members: [HazelcastAddress] = [HazelcastAddress(host: "127.0.0.1")],
        clusterName: String = "dev",
        username: String? = nil,
        password: String? = nil,
        clientName: String? = nil,
        clientType: String = "SWF",
        labels: [String] = [],
        connectTimeout: Duration = .seconds(5),
        invocationTimeout: Duration = .seconds(120),
        heartbeatInterval: Duration = .seconds(5),
        heartbeatTimeout: Duration = .seconds(60),
        reconnectInitialBackoff: Duration = .seconds(1),
        reconnectMaxBackoff: Duration = .seconds(30),
        reconnectMultiplier: Double = 2,
        reconnectJitter: Double = 0.2,
        writeTimeout: Duration = .seconds(5),
        smartRouting: Bool = false,
        tls: HazelcastTLSConfiguration? = nil
    ) {
        self.members = members
        self.clusterName = clusterName
        self.username = username
        self.password = password
        self.clientName = clientName
        self.clientType = clientType
        self.labels = labels
        self.connectTimeout = connectTimeout
        self.invocationTimeout = invocationTimeout
        self.heartbeatInterval = heartbeatInterval
        self.heartbeatTimeout = heartbeatTimeout
        self.reconnectInitialBackoff = reconnectInitialBackoff
        self.reconnectMaxBackoff = reconnectMaxBackoff
        self.reconnectMultiplier = reconnectMultiplier
        self.reconnectJitter = reconnectJitter
        self.writeTimeout = writeTimeout
        self.smartRouting = smartRouting
        self.tls = tls
    }

    /// Checks the values a client cannot work with.
    public func validate() throws(HazelcastError) {
        guard !members.isEmpty else { throw .invalidArgument("no member address configured") }
        guard !clusterName.isEmpty else { throw .invalidArgument("empty cluster name") }
        guard connectTimeout > .zero, invocationTimeout > .zero else {
            throw .invalidArgument("timeouts must be positive")
        }
        guard heartbeatInterval > .zero, heartbeatTimeout > .zero else {
            throw .invalidArgument("heartbeat interval and timeout must be positive")
        }
        guard reconnectInitialBackoff >= .zero, reconnectMaxBackoff >= reconnectInitialBackoff, reconnectMultiplier >= 1 else {
            throw .invalidArgument("reconnect back-off needs 0 ≤ initial ≤ max and multiplier ≥ 1")
        }
        guard (0...1).contains(reconnectJitter) else { throw .invalidArgument("reconnect jitter must be within 0…1") }
        try tls?.validate()
    }
}

/// The TLS configuration of the connections to members (OpenSSL, TLS 1.2 or later).
///
/// The member's certificate chain is always verified; its host name (or IP address) too unless
/// `verifyHostname` is false. A client certificate is presented when both `certificateFile` and
/// `privateKeyFile` are set (for members that require mutual TLS).
public struct HazelcastTLSConfiguration: Sendable, Equatable {
    /// PEM file of the certificate authorities trusted to sign member certificates; nil uses the
    /// system's default trust store.
    public var caFile: String?
    /// PEM file of the client certificate, optionally followed by its intermediates.
    public var certificateFile: String?
    /// PEM file of the client certificate's private key (unencrypted).
    public var privateKeyFile: String?
    /// Check that the member certificate is issued for `serverName` (DNS name or IP address).
    public var verifyHostname: Bool
    /// The name sent as SNI (unless it is an IP address) and verified against the certificate;
    /// nil uses the host of each member address.
    public var serverName: String?

    public init(
        caFile: String? = nil, certificateFile: String? = nil, privateKeyFile: String? = nil,
        verifyHostname: Bool = true, serverName: String? = nil
    ) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
        self.verifyHostname = verifyHostname
        self.serverName = serverName
    }

    /// Checks the combinations that cannot work (the files themselves are read by the client).
    public func validate() throws(HazelcastError) {
        guard (certificateFile == nil) == (privateKeyFile == nil) else {
            throw .invalidArgument("TLS: a client certificate needs both certificateFile and privateKeyFile")
        }
        for (name, value) in [("caFile", caFile), ("certificateFile", certificateFile), ("privateKeyFile", privateKeyFile)] {
            if let value, value.isEmpty { throw .invalidArgument("TLS: empty \(name)") }
        }
        if let serverName, serverName.isEmpty { throw .invalidArgument("TLS: empty serverName") }
    }
}
