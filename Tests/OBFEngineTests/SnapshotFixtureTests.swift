import Testing
import SeededRandom
@testable import OBFEngine

/// Documents and generators shared by the snapshot, JSON and timestamp tests.
enum SnapshotFixtures {
    /// The worked snapshot of features.md §1, verbatim.
    static let worked = """
    {
      "timestamp": "2026-03-26T12:34:56.789000+00:00",
      "bid_notional": [1234567.0, 987654.0, 876543.0, 765432.0, 654321.0],
      "ask_notional": [1234567.0, 987654.0, 876543.0, 765432.0, 654321.0],
      "bid_depth":    [0.123, 0.456, 0.789, 1.012, 1.234],
      "ask_depth":    [0.123, 0.456, 0.789, 1.012, 1.234],
      "_pushed_at":   "2026-03-26T12:34:56.901000+00:00",
      "_push_seq":    1711453296901
    }
    """

    /// 2026-03-26T12:34:56.789000+00:00 in Unix seconds, from Python:
    /// `datetime.fromisoformat("2026-03-26T12:34:56.789000+00:00").timestamp()`.
    static let workedTimestamp = 1774528496.789

    static let workedNotional: [Double] = [1234567.0, 987654.0, 876543.0, 765432.0, 654321.0]
    static let workedDepth: [Double] = [0.123, 0.456, 0.789, 1.012, 1.234]

    /// A minimal valid document with the given members replaced or added.
    /// Pass a nil value to leave a member out.
    static func document(_ overrides: [(String, String?)] = []) -> String {
        var members: [(String, String?)] = [
            ("timestamp", "\"2026-03-26T12:34:56.789000+00:00\""),
            ("bid_notional", "[1, 2, 3]"),
            ("ask_notional", "[4, 5, 6]"),
        ]
        for (key, value) in overrides {
            if let index = members.firstIndex(where: { $0.0 == key }) {
                members[index].1 = value
            } else {
                members.append((key, value))
            }
        }
        let body = members.compactMap { key, value in value.map { "\"\(key)\": \($0)" } }
        return "{" + body.joined(separator: ", ") + "}"
    }

    static func decode(_ text: String) -> Result<OrderBookSnapshot, InvalidSnapshotReason> {
        SnapshotDecoder.decode(Array(text.utf8))
    }

    static func reason(_ text: String) -> InvalidSnapshotReason? {
        if case .failure(let reason) = decode(text) { return reason }
        return nil
    }

    /// Writes a snapshot back as a JSON document (Swift's shortest round-trip
    /// spelling of each Double is valid JSON for finite values).
    static func encode(_ snapshot: OrderBookSnapshot) -> String {
        func list(_ values: [Double]) -> String {
            "[" + values.map { "\($0)" }.joined(separator: ",") + "]"
        }
        var members = [
            "\"timestamp\":\(snapshot.timestamp)",
            "\"bid_notional\":\(list(snapshot.bidNotional))",
            "\"ask_notional\":\(list(snapshot.askNotional))",
        ]
        if let depth = snapshot.bidDepth { members.append("\"bid_depth\":\(list(depth))") }
        if let depth = snapshot.askDepth { members.append("\"ask_depth\":\(list(depth))") }
        if let pushedAt = snapshot.provenance.pushedAt { members.append("\"_pushed_at\":\(pushedAt)") }
        if let sequence = snapshot.provenance.pushSequence { members.append("\"_push_seq\":\(sequence)") }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// A seeded generator so failures reproduce.
    typealias Random = SplitMix64
}

@Suite struct SnapshotFixtureTests {
    @Test func documentBuilderProducesValidSnapshot() {
        #expect(SnapshotFixtures.reason(SnapshotFixtures.document()) == nil)
    }

    @Test func encodeRoundTripsWorkedExample() throws {
        let snapshot = try SnapshotFixtures.decode(SnapshotFixtures.worked).get()
        #expect(SnapshotFixtures.decode(SnapshotFixtures.encode(snapshot)) == .success(snapshot))
    }
}
