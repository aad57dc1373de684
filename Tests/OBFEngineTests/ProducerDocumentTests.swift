import Testing
import SnapshotSources

/// The mock and replay sources store books as the Python producer does.
struct ProducerDocumentTests {
    @Test func documentsAreWhatPythonsJSONDumpsWrites() {
        let document = ProducerDocument.json(timestamp: 1_700_000_000.25, bid: [100, 90.5, 1e-7], ask: [80, 1e16, 0],
                                             sequence: 42, asset: "BTCUSDT", pushedAt: 1_700_000_001)
        // json.dumps of the same dict, its default separators and float repr.
        #expect(document == #"{"timestamp": "2023-11-14T22:13:20.250000+00:00", "bid_notional": [100.0, 90.5, 1e-07], "#
            + #""ask_notional": [80.0, 1e+16, 0.0], "bid_depth": [0.001538, 0.001392, 0.0], "#
            + #""ask_depth": [0.001231, 153846153846.15384, 0.0], "_pushed_at": "2023-11-14T22:13:21.000000+00:00", "#
            + #""_push_seq": 42}"#)
    }
}
