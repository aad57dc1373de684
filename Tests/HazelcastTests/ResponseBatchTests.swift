import Locking
import Testing
@testable import Hazelcast

/// The hand-over between a connection's reader thread and the task waiting for a batch.
@Suite("Response batches")
struct ResponseBatchTests {
    static func response(_ correlationId: Int64) -> ClientMessage {
        ClientPingCodec.encodeResponse(correlationId: correlationId)
    }

    @Test func resultsComeInRequestOrderWhateverTheArrivalOrder() async {
        let batch = ResponseBatch(count: 3)
        let waiter = Task { await batch.results() }
        batch.complete(2, with: .success(Self.response(12)))
        batch.complete(0, with: .success(Self.response(10)))
        batch.complete(1, with: .failure(HazelcastError.timeout("late")))
        let results = await waiter.value
        #expect(results.count == 3)
        #expect((try? results[0].get())?.correlationId == 10)
        #expect((try? results[2].get())?.correlationId == 12)
        #expect(throws: HazelcastError.timeout("late")) { try results[1].get() }
    }

    @Test func onlyTheFirstCompletionOfARequestCounts() async {
        let seen = Locked<[Int64]>([])
        let batch = ResponseBatch(count: 2) { message in seen.withLock { $0.append(message.correlationId) } }
        batch.complete(0, with: .failure(HazelcastError.timeout("gave up")))
        batch.complete(0, with: .success(Self.response(1)))   // arrives after the timeout: ignored, not handed over
        batch.complete(1, with: .success(Self.response(2)))
        batch.complete(1, with: .success(Self.response(3)))   // a duplicate: ignored
        batch.complete(7, with: .success(Self.response(4)))   // no such request
        let results = await batch.results()
        #expect(throws: HazelcastError.timeout("gave up")) { try results[0].get() }
        #expect((try? results[1].get())?.correlationId == 2)
        #expect(seen.withLock { $0 } == [2])
    }

    @Test func anEmptyBatchIsCompleteAtOnce() async {
        #expect(await ResponseBatch(count: 0).results().isEmpty)
    }
}
