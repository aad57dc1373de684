import Logging

extension HazelcastTestMember {
    /// Ports below the kernel's ephemeral range (32768 and up by default on Linux): while a
    /// member on one of them is stopped, no outgoing connection can be given its port, so a
    /// later `start()` on the same port cannot fail because of one.
    public static let stablePorts = 20_000..<32_000

    /// A started member on a random free port of `stablePorts`, for tests that stop and
    /// restart a member, or start it only later.
    public static func startedOnStablePort(
        clusterName: String = "dev", logger: Logger = Logger(label: "hazelcast.test-member")
    ) throws -> (member: HazelcastTestMember, port: Int) {
        var lastError: (any Error)?
        for _ in 0..<50 {
            let member = HazelcastTestMember(clusterName: clusterName, port: Int.random(in: stablePorts), logger: logger)
            do {
                return (member, try member.start())
            } catch {
                lastError = error
            }
        }
        throw lastError ?? HazelcastTestMemberPortError()
    }
}

/// No port of `HazelcastTestMember.stablePorts` could be bound.
public struct HazelcastTestMemberPortError: Error {}
