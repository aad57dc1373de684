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
            let member = HazelcastTestMember(clusterName: clusterName, port: Int.random(in: stablePorts), tls: tls,
                                             logger: logger)
            do {
                return (member, try member.start())
            } catch where attempt < 50 {
                attempt += 1
            }
        }
    }
}
