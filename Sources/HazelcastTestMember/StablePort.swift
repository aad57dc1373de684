import Locking
import Logging

extension HazelcastTestMember {
    /// Ports below the kernel's ephemeral range (32768 and up by default on Linux): while a
    /// member on one of them is stopped, no outgoing connection can be given its port, so a
    /// later `start()` on the same port cannot fail because of one.
    public static let stablePorts = 20_000..<32_000

    /// A started member on a random free port of `stablePorts`, for tests that stop and
    /// restart a member, or start it only later; with `tls`, a TLS member.
    public static func startedOnStablePort(
        clusterName: String = "dev", tls: TestMemberTLS? = nil, logger: Logger = Logger(label: "hazelcast.test-member")
    ) throws -> (member: HazelcastTestMember, port: Int) {
        var attempt = 1
        while true {
            let member = HazelcastTestMember(clusterName: clusterName, port: reservePort(), tls: tls, logger: logger)
            do {
                return (member, try member.start())
            } catch where attempt < 50 {
                attempt += 1
            }
        }
    }

    /// Ports handed out in this process. None is handed out twice, so while a member is
    /// stopped, no other member of the process can take its port before it restarts, and a
    /// client reconnecting to that port cannot reach another test's member.
    private static let handedOut = Locked<Set<Int>>([])

    private static func reservePort() -> Int {
        handedOut.withLock { ports in
            while true {
                let port = Int.random(in: stablePorts)
                if ports.insert(port).inserted { return port }
            }
        }
    }
}
