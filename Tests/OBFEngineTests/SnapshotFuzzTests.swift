import JSON
@testable import OBFEngine
import Testing

/// Property tests: any byte sequence yields a snapshot or a reason, the
/// specialised decoder agrees with the generic parser, and whatever decodes
/// survives a round trip.
@Suite struct SnapshotFuzzTests {
    typealias F = SnapshotFixtures

    /// The generic path (parse to `JSONValue`, then decode) must reach the same
    /// answer, except where the generic parser stops at a duplicate key, which
    /// the specialised decoder ignores unless it is one of the five it reads.
    static func checkAgreement(_ bytes: [UInt8], _ direct: Result<OrderBookSnapshot, InvalidSnapshotReason>,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        switch JSONValue.parse(bytes, maxDepth: SnapshotDecoder.maxDepth, maxBytes: SnapshotDecoder.maxBytes) {
        case .success(let value):
            #expect(SnapshotDecoder.decode(value) == direct, "\(String(decoding: bytes, as: UTF8.self))",
                    sourceLocation: sourceLocation)
        case .failure(let error):
            guard error.kind != .duplicateKey else { return }
            #expect(direct == .failure(SnapshotDecoder.reason(for: error)),
                    "\(String(decoding: bytes, as: UTF8.self))", sourceLocation: sourceLocation)
        }
    }

    static func checkRoundTrip(_ result: Result<OrderBookSnapshot, InvalidSnapshotReason>,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .success(let snapshot) = result else { return }
        #expect(SnapshotDecoder.validate(snapshot) == nil, sourceLocation: sourceLocation)
        #expect(F.decode(F.encode(snapshot)) == .success(snapshot), sourceLocation: sourceLocation)
    }

    static let alphabet: [UInt8] = Array(#"{}[]:,"\ -+.0123456789eEtrufalsn_abdimotp"#.utf8) + [0x0A, 0x09, 0xC3, 0xA9, 0xFF, 0x00]

    @Test func randomBytesNeverCrash() {
        var random = F.Random(seed: 1)
        for round in 0..<4_000 {
            let length = Int.random(in: 0...96, using: &random)
            let bytes: [UInt8] = (0..<length).map { _ in
                round.isMultiple(of: 2) ? UInt8.random(in: 0...255, using: &random)
                                        : Self.alphabet.randomElement(using: &random) ?? 0
            }
            let result = SnapshotDecoder.decode(bytes)
            Self.checkAgreement(bytes, result)
            Self.checkRoundTrip(result)
        }
    }

    static let tokens: [String] = [
        "{", "}", "[", "]", ",", ":", "\"", "\\", " ", "null", "true", "-", "0", "1e400", "-1", "NaN",
        "\"x\"", "[]", "{}", "\"timestamp\"", "\"bid_notional\"", "\"ask_depth\"", "1.5", "\\u0041", "\u{E9}",
        ", \"bid_notional\": [1,2,3,4,5]", ", \"extra\": {\"a\": [1, {\"b\": null}]}", "\"2026-02-29T00:00:00Z\"",
    ]

    static func mutate(_ original: [UInt8], using random: inout F.Random) -> [UInt8] {
        var bytes = original
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            guard !bytes.isEmpty else { break }
            let at = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<7, using: &random) {
            case 0: bytes[at] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes[at] = Self.alphabet.randomElement(using: &random) ?? 0
            case 2:
                let end = min(bytes.count, at + Int.random(in: 1...8, using: &random))
                bytes.removeSubrange(at..<end)
            case 3: bytes.insert(contentsOf: Array((Self.tokens.randomElement(using: &random) ?? "").utf8), at: at)
            case 4: bytes.removeSubrange(at...)
            case 5:
                let end = min(bytes.count, at + Int.random(in: 1...16, using: &random))
                bytes.insert(contentsOf: bytes[at..<end], at: end)
            default:
                // Replace a digit by another digit: usually still valid.
                if F.isDigit(bytes[at]) { bytes[at] = UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &random) }
            }
        }
        return bytes
    }

    @Test func mutationsOfValidSnapshotsNeverCrash() {
        var random = F.Random(seed: 2)
        let seeds = [
            Array(F.worked.utf8),
            Array(F.document([("bid_depth", "[0.5, 1e-3, 2]"), ("ask_depth", "null"), ("_n", "\"\\u00e9\"")]).utf8),
            Array(#"{"timestamp":1774528496.789,"bid_notional":[1,2],"ask_notional":[3,4]}"#.utf8),
        ]
        var decoded = 0
        for round in 0..<6_000 {
            let bytes = Self.mutate(seeds[round % seeds.count], using: &random)
            let result = SnapshotDecoder.decode(bytes)
            if case .success = result { decoded += 1 }
            Self.checkAgreement(bytes, result)
            Self.checkRoundTrip(result)
        }
        // Digit substitutions keep a fair share of mutants valid.
        #expect(decoded > 100)
    }
}

extension SnapshotFixtures {
    static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
}
