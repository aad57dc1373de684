import Foundation
import HazelcastClient
import OBFEngine

/// What `obf probe` found for one asset.
public struct ProbeFinding: Sendable, Equatable {
    public enum Verdict: String, Sendable {
        case ok, missing, stale, invalid
    }

    public var asset: String
    public var verdict: Verdict
    /// Seconds since the snapshot's timestamp, when it has a valid one.
    public var ageSeconds: Double?
    /// The invalid reason, or nothing.
    public var detail: String?
}

/// The operator's check: for each asset, is there a snapshot, how old is it, is it valid.
public enum SnapshotProbe {
    public static func run(client: HazelcastClient, map: String, assets: [String], maxAge: Double,
                           timeout: Duration = .seconds(5),
                           now: Double = Date().timeIntervalSince1970) async throws -> [ProbeFinding] {
        let values = try await client.getAllValues(map: map, keys: assets.map(HazelcastSnapshotSource.mapKey(for:)),
                                                   timeout: timeout)
        return zip(assets, values).map { asset, value in judge(asset: asset, value: value, maxAge: maxAge, now: now) }
    }

    static func judge(asset: String, value: HazelcastData?, maxAge: Double, now: Double) -> ProbeFinding {
        guard let value else { return ProbeFinding(asset: asset, verdict: .missing) }
        let text: (kind: HazelcastText.Kind, utf8: ArraySlice<UInt8>)
        do {
            text = try value.textBytes()
        } catch {
            return ProbeFinding(asset: asset, verdict: .invalid, detail: "\(error)")
        }
        switch text.utf8.withUnsafeBufferPointer({ SnapshotDecoder.decode($0) }) {
        case .failure(let reason):
            return ProbeFinding(asset: asset, verdict: .invalid, detail: reason.rawValue)
        case .success(let snapshot):
            let age = now - snapshot.timestamp
            return ProbeFinding(asset: asset, verdict: age > maxAge ? .stale : .ok, ageSeconds: age,
                                detail: text.kind == .jsonValue ? "HazelcastJsonValue" : nil)
        }
    }
}
