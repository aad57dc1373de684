import OBFEngine
import OBFHTTP
import SnapshotSources

/// Which snapshot source `obf serve` reads.
public enum SourceKind: String, Sendable, CaseIterable {
    case mock, replay, hazelcast
}

/// Everything `obf serve` is configured with, validated (service.md's flag table).
public struct ServiceConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var source = SourceKind.mock
    public var assets = ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT"]
    public var replayFile: String?
    public var mockSeed: UInt64 = 1
    public var hazelcast = HazelcastConfiguration()
    public var stepDeadline = Duration.milliseconds(250)
    /// The most assets one step may read (`--assets` or a step body).
    public static let maxAssets = 2000
    public var engine = EngineConfiguration()
    public var stateFile: String?
    /// The Hazelcast map the engine's state is replicated in (`--state-map`), off when nil.
    public var stateMap: String?
    /// The engine's name in the state map (`--engine-id`): replicas of one engine share it.
    public var engineId = "default"
    public var apiToken: String?
    public var authReads = false
    public var authMetrics = false
    /// HTTP event-loop threads; `nil` is one per core but one (at least one).
    public var httpThreads: Int?
    /// Where every answered step is recorded (`--record-dir`), off when nil.
    public var recordDirectory: String?
    /// Days of record kept (`--record-retain-days`); nil keeps every day.
    public var recordRetainDays: Int?
    /// HTTPS: the PEM certificate chain and its key (`--tls-cert`, `--tls-key`); plain HTTP when nil.
    public var tlsCertificateFile: String?
    public var tlsKeyFile: String?
    /// Mutual TLS: clients must present a certificate of this CA (`--tls-client-ca`).
    public var tlsClientCAFile: String?
    /// A plain-HTTP port on 127.0.0.1 answering only /healthz, /readyz and /metrics (`--probe-port`).
    public var probePort: Int?

    public init() {}

    /// Checks every value; throws a message naming the flag at fault.
    public func validated() throws(ConfigurationError) -> ServiceConfiguration {
        guard (0...65_535).contains(port) else { throw .invalid("--port must be 0...65535, got \(port)") }
        guard !host.isEmpty else { throw .invalid("--host must not be empty") }
        guard !assets.isEmpty else { throw .invalid("--assets must name at least one asset") }
        guard assets.count <= Self.maxAssets else { throw .invalid("--assets names more than \(Self.maxAssets) assets") }
        for asset in assets where !AssetSymbol.isValid(asset) {
            throw .invalid("--assets: '\(asset)' does not match ^[A-Za-z0-9]{1,32}$")
        }
        if source == .replay && (replayFile ?? "").isEmpty {
            throw .invalid("--source replay needs --replay-file PATH")
        }
        if let threads = httpThreads, !(1...64).contains(threads) {
            throw .invalid("--http-threads must be 1...64, got \(threads)")
        }
        try validateTLS()
        guard stepDeadline > .zero else { throw .invalid("--step-deadline-ms must be above 0") }
        guard engine.maxBars >= 1 else { throw .invalid("--max-bars must be at least 1") }
        // Room for every configured asset plus a whole step body of new ones.
        let leastAssets = assets.count + Self.maxAssets
        guard engine.maxAssets >= leastAssets, engine.maxAssets <= 1_000_000 else {
            throw .invalid("--max-assets must be \(leastAssets)...1000000 (the configured assets plus \(Self.maxAssets) "
                + "for a step body), got \(engine.maxAssets)")
        }
        guard engine.maxSnapshotAge > 0, engine.maxSnapshotAge.isFinite else {
            throw .invalid("--max-snapshot-age-s must be a positive number")
        }
        guard engine.maxClockOffset > 0, engine.maxClockOffset.isFinite else {
            throw .invalid("--max-clock-offset-s must be a positive number")
        }
        if let stateMap, stateMap.isEmpty { throw .invalid("--state-map must not be empty") }
        if let recordDirectory, recordDirectory.isEmpty { throw .invalid("--record-dir must not be empty") }
        if let days = recordRetainDays, !(1...36_500).contains(days) {
            throw .invalid("--record-retain-days must be 1...36500, got \(days)")
        }
        let idCharacters = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
        guard (1...64).contains(engineId.count), engineId.allSatisfy(idCharacters.contains) else {
            throw .invalid("--engine-id must match ^[A-Za-z0-9_.-]{1,64}$, got '\(engineId.prefix(80))'")
        }
        guard !hazelcast.members.isEmpty else { throw .invalid("--hz-members must name at least one member") }
        guard !hazelcast.mapName.isEmpty else { throw .invalid("--hz-map must not be empty") }
        do {
            try hazelcast.validateTLS()
        } catch {
            throw .invalid(error.description)
        }
        return self
    }
}

extension ServiceConfiguration {
    /// The HTTPS configuration of the API, nil when it speaks plain HTTP.
    public var tls: TLSServerConfiguration? {
        guard let tlsCertificateFile, let tlsKeyFile else { return nil }
        return TLSServerConfiguration(certificateFile: tlsCertificateFile, privateKeyFile: tlsKeyFile,
                                      clientCAFile: tlsClientCAFile)
    }

    private func validateTLS() throws(ConfigurationError) {
        if (tlsCertificateFile == nil) != (tlsKeyFile == nil) {
            throw .invalid("--tls-cert and --tls-key go together")
        }
        if tlsClientCAFile != nil && tlsCertificateFile == nil {
            throw .invalid("--tls-client-ca needs --tls-cert and --tls-key")
        }
        for (flag, path) in [("--tls-cert", tlsCertificateFile), ("--tls-key", tlsKeyFile),
                             ("--tls-client-ca", tlsClientCAFile)] where path?.isEmpty == true {
            throw .invalid("\(flag) must not be empty")
        }
        if let probePort {
            guard (0...65_535).contains(probePort) else { throw .invalid("--probe-port must be 0...65535, got \(probePort)") }
            guard probePort == 0 || probePort != port else { throw .invalid("--probe-port must differ from --port") }
        }
    }
}

/// A configuration value that cannot be used.
public enum ConfigurationError: Error, CustomStringConvertible, Equatable {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let message): message
        }
    }
}
