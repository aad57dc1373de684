import Testing
import Hazelcast

@Suite("Owned tasks: cancelled and awaited at shutdown")
struct OwnedTasksTests {
    @Test func waitAllReturnsOnceEveryTaskEnded() async {
        let tasks = OwnedTasks()
        let ended = MutexBox(0)
        for _ in 0..<5 {
            tasks.spawn {
                try? await Task.sleep(for: .seconds(60))
                ended.withLock { $0 += 1 }
            }
        }
        #expect(tasks.count == 5)
        tasks.cancelAll()
        await tasks.waitAll()
        #expect(tasks.count == 0)
        #expect(ended.withLock { $0 } == 5)
    }

    @Test func nothingStartsAfterCancelAll() async {
        let tasks = OwnedTasks()
        tasks.cancelAll()
        let started = MutexBox(false)
        #expect(tasks.spawn { started.withLock { $0 = true } } == nil)
        await tasks.waitAll()
        #expect(!started.withLock { $0 })
    }

    @Test func aTaskThatEndsByItselfLeavesTheSet() async {
        let tasks = OwnedTasks()
        let task = tasks.spawn {}
        await task?.value
        #expect(tasks.count == 0)
    }
}
