import JSON
import OBFEngine

/// Renders snapshots exactly as the Python producer stores them: `json.dumps(payload)`
/// with its default separators, an ISO-8601 timestamp with microseconds and `+00:00`.
public enum ProducerDocument {
    /// Base-asset prices used only to derive the depth arrays of synthetic books.
    static let referencePrices: [String: Double] = ["BTCUSDT": 65_000, "ETHUSDT": 3_500,
                                                    "BNBUSDT": 600, "SOLUSDT": 150]

    /// The document for one book; depth arrays are derived from a nominal price when not given.
    /// `_pushed_at` is `pushedAt`, else the timestamp (a producer that writes what it just observed).
    public static func json(timestamp: Double, bid: [Double], ask: [Double], sequence: Int64,
                            asset: String? = nil, bidDepth: [Double]? = nil, askDepth: [Double]? = nil,
                            pushedAt: Double? = nil) -> String {
        let price = asset.flatMap { referencePrices[$0] } ?? 1
        let stamp = ISO8601Timestamp.format(timestamp) ?? "1970-01-01T00:00:00.000000+00:00"
        let pushStamp = pushedAt.flatMap { ISO8601Timestamp.format($0) } ?? stamp
        var json = JSONWriter(capacity: 128 + 24 * (bid.count + ask.count) * 2, pythonSeparators: true)
        json.beginObject()
        json.field("timestamp", stamp)
        json.key("bid_notional"); json.numbers(bid)
        json.key("ask_notional"); json.numbers(ask)
        json.key("bid_depth"); json.numbers(bidDepth ?? bid.map { ($0 / price * 1e6).rounded() / 1e6 })
        json.key("ask_depth"); json.numbers(askDepth ?? ask.map { ($0 / price * 1e6).rounded() / 1e6 })
        json.field("_pushed_at", pushStamp)
        json.field("_push_seq", sequence)
        json.endObject()
        return String(decoding: json.bytes, as: UTF8.self)
    }

    /// The document for a validated snapshot, keeping its own depth arrays.
    public static func json(_ snapshot: OrderBookSnapshot, sequence: Int64, asset: String? = nil) -> String {
        json(timestamp: snapshot.timestamp, bid: snapshot.bidNotional, ask: snapshot.askNotional, sequence: sequence,
             asset: asset, bidDepth: snapshot.bidDepth, askDepth: snapshot.askDepth)
    }
}
