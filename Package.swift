// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "obf",
    // Linux with glibc only (README "Set-up"): the epoll and eventfd shims and the Glibc calls have no other port.
    products: [
        .executable(name: "obf", targets: ["obf"]),
        .executable(name: "hz-test-member", targets: ["hz-test-member"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // epoll, eventfd and socket option constants that Glibc does not export to Swift.
        .target(name: "CSystemShims"),
        // A pthread-based lock that ThreadSanitizer understands (shared by every module).
        .target(name: "Locking"),
        // What the modules share of the system: the monotonic clock and duration parts.
        .target(name: "Platform"),
        // TCP sockets: create, options, bind and listen, accept, connect with a timeout, addresses, close;
        // knows nothing of HTTP or Hazelcast.
        .target(name: "Sockets", dependencies: ["CSystemShims"]),
        // The system OpenSSL (libssl, libcrypto): TLS to Hazelcast members and HTTPS on the API.
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        // What both TLS sides share of OpenSSL: its error queue read, the MSG_NOSIGNAL socket BIO,
        // the set-up of a context (protocol minimum, certificate and key, client certificates).
        .target(name: "OpenSSLSupport", dependencies: ["COpenSSL", "Sockets"]),
        // A seedable pseudo-random generator (mock books, randomised tests).
        .target(name: "SeededRandom"),
        // RFC 8259 JSON: a strict scanner, a document model and a compact writer; knows nothing of features.
        .target(name: "JSON"),
        // Metric definitions (name, help text, buckets) that each module makes its swift-metrics metrics from.
        .target(name: "OBFMetrics", dependencies: [.product(name: "CoreMetrics", package: "swift-metrics")]),
        // Feature arithmetic, snapshot parsing and the engine actor; knows nothing of HTTP or Hazelcast.
        .target(name: "OBFEngine", dependencies: [
            "JSON", "Locking", "Platform",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The engine's state as JSON (the state file's format, shared by the replicated documents) and the
        // state file's atomic write.
        .target(name: "OBFPersistence", dependencies: ["JSON", "OBFEngine", "Platform"]),
        // A client of the Hazelcast Open Binary Client Protocol 2.x; knows nothing of features.
        .target(name: "Hazelcast", dependencies: [
            "COpenSSL", "OpenSSLSupport", "Locking", "Platform", "Sockets",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Snapshot sources: mock, replay and hazelcast (fetch and the live view), and the cluster settings.
        .target(name: "SnapshotSources", dependencies: [
            "JSON", "OBFEngine", "OBFMetrics", "Hazelcast", "Locking", "Platform", "SeededRandom",
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The engine's state in a Hazelcast map, shared by the replicas of one engine (`--state-map`).
        .target(name: "OBFReplication", dependencies: [
            "JSON", "OBFEngine", "OBFMetrics", "OBFPersistence", "SnapshotSources", "Hazelcast", "Locking",
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The system zlib: CRC-32 of record frames and gzip of closed record segments.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // The step record (`--record-dir`): its file format, the writer off the step path, the reader.
        .target(name: "OBFRecord", dependencies: [
            "CZlib", "CSystemShims", "JSON", "OBFEngine", "OBFMetrics", "Locking", "Platform",
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // A small HTTP/1.1 server (and HTTPS, through the system OpenSSL) on sockets, epoll and Dispatch.
        .target(name: "OBFHTTP", dependencies: [
            "CSystemShims", "COpenSSL", "OpenSSLSupport", "Locking", "Platform", "Sockets",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Routes, JSON bodies, metrics and wiring of the service.
        .target(name: "OBFService", dependencies: [
            "JSON", "OBFEngine", "OBFMetrics", "OBFPersistence", "SnapshotSources", "OBFReplication", "OBFRecord", "OBFHTTP", "Locking",
            "Platform",
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        // The `obf` command: serve, push, probe.
        .executableTarget(name: "obf", dependencies: [
            "JSON", "OBFService", "OBFRecord", "SnapshotSources", "Hazelcast", "Locking", "Platform",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ]),
        // An in-memory Hazelcast member for tests and benchmarks (never part of `obf`).
        .target(name: "HazelcastTestMember", dependencies: [
            "Hazelcast", "Locking", "Platform", "Sockets",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // In-process benchmarks of the engine, run by the scripts in bench/ (never by the tests).
        .executableTarget(name: "obf-bench", dependencies: ["OBFEngine", "SnapshotSources", "Hazelcast", "Platform"], path: "bench/Sources/obf-bench"),
        .executableTarget(name: "hz-test-member", dependencies: [
            "HazelcastTestMember",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // libFuzzer targets (built by scripts/fuzz.sh with -sanitize=fuzzer); without it they replay files.
        .target(name: "FuzzSupport", path: "Fuzz/Sources/FuzzSupport"),
        .executableTarget(name: "fuzz-snapshot", dependencies: ["JSON", "OBFEngine", "FuzzSupport"],
                          path: "Fuzz/Sources/fuzz-snapshot"),
        .executableTarget(name: "fuzz-http-parser", dependencies: ["OBFHTTP", "FuzzSupport"],
                          path: "Fuzz/Sources/fuzz-http-parser"),
        .executableTarget(name: "fuzz-hazelcast-frames", dependencies: ["Hazelcast", "FuzzSupport"],
                          path: "Fuzz/Sources/fuzz-hazelcast-frames"),
        // A raw HTTP/1.1 client on loopback sockets (byte-level and blocking, or async off the pool) for the tests.
        .target(name: "HTTPTestClient", dependencies: ["Locking", "Sockets"], path: "Tests/HTTPTestClient"),
        // Certificates made with the openssl command and a blocking TLS client, for the HTTPS tests.
        .target(name: "TLSTestSupport", dependencies: ["COpenSSL", "OpenSSLSupport", "HTTPTestClient", "Locking"],
                path: "Tests/TLSTestSupport"),
        // How the tests wait: for an event, with bounds that guard against a hang, never a guess of the machine's speed.
        .target(name: "TestTiming", path: "Tests/TestTiming"),
        // Shared helpers of the service tests: the HTTP test client with JSON bodies, a scripted source, fixtures.
        .target(name: "OBFTestSupport", dependencies: [
            "HTTPTestClient", "JSON", "Locking", "OBFEngine", "OBFHTTP", "OBFService", "Sockets", "TestTiming",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "InMemoryLogging", package: "swift-log"),
        ], path: "Tests/OBFTestSupport"),
        .testTarget(name: "OBFEngineTests", dependencies: ["JSON", "OBFEngine", "SnapshotSources", "Hazelcast", "SeededRandom"]),
        .testTarget(name: "OBFHTTPTests", dependencies: ["OBFHTTP", "HTTPTestClient", "Locking", "SeededRandom", "TestTiming",
                                                      "TLSTestSupport"]),
        .testTarget(name: "HazelcastTests", dependencies: ["Hazelcast", "HazelcastTestMember", "Locking",
                                                         "SeededRandom", "Sockets", "TestTiming"]),
        .testTarget(name: "OBFRecordTests", dependencies: [
            "OBFRecord", "OBFEngine", "OBFTestSupport", "SnapshotSources", "TestTiming",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "OBFServiceTests", dependencies: [
            "JSON", "OBFService", "OBFEngine", "OBFPersistence", "SnapshotSources", "OBFReplication", "OBFHTTP", "Hazelcast", "HazelcastTestMember",
            "Locking", "OBFTestSupport", "SeededRandom", "TestTiming", "TLSTestSupport",
        ]),
    ]
)
