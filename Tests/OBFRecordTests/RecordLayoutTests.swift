@testable import OBFRecord
import Testing

/// Segment names and day folders are UTC, cut (never rounded) to the millisecond and the day.
@Suite struct RecordLayoutTests {
    @Test func aSegmentOpenedInTheLastMillisecondOfADayStaysInThatDay() {
        let time = 1_767_225_599.9996   // 2025-12-31T23:59:59.9996Z
        #expect(RecordLayout.day(of: time) == "2025-12-31")
        #expect(RecordLayout.segmentName(openedAt: time, writer: "a b/c") == "235959.999-a_b_c.obfrec")
        #expect(RecordLayout.day(of: time + 0.0004) == "2026-01-01")
        #expect(RecordLayout.segmentName(openedAt: 1_767_225_600.042, writer: "w") == "000000.042-w.obfrec")
    }
}
