import Locking
import Logging
import OBFEngine
import OBFPersistence
import Platform
import ServiceLifecycle

/// Keeps the engine's state file: loads it at start-up (`load`), writes it every `interval`
/// steps while it runs as a service, and once more at the graceful shutdown. One write at a
/// time, off the engine actor; the file I/O (reads, writes, fsyncs) runs on a queue of its own,
/// never on the Swift concurrency pool.
actor StateKeeper: Service {
    let path: String
    let engine: FeatureEngine
    let logger: Logger
    /// The engine's listener that says when a write is due.
    nonisolated let steps: StepCounter
    /// Where the blocking file calls run.
    private let files = BlockingQueue(label: "obf.state-file")

    /// `steps` is the listener the engine was made with.
    init(path: String, engine: FeatureEngine, steps: StepCounter, logger: Logger) {
        self.path = path
        self.engine = engine
        self.steps = steps
        self.logger = logger
    }

    /// Loads the file into the engine; any problem is logged and the engine starts empty.
    func load() async {
        let path = self.path
        let loaded = await files.run { () -> Result<EngineState?, StateFileError> in
            do throws(StateFileError) { return .success(try StateFile.load(path)) } catch { return .failure(error) }
        }
        do throws(StateFileError) {
            guard let saved = try loaded.get() else {
                logger.info("no state file yet; starting empty", metadata: ["path": "\(path)"])
                return
            }
            do throws(StateRestoreError) {
                try await engine.restore(saved)
                logger.info("state restored", metadata: [
                    "path": "\(path)", "last_bar": "\(saved.lastBar.map(String.init) ?? "none")",
                    "assets": "\(saved.assets.count)", "bars": "\(saved.steppedBars.count)",
                ])
            } catch {
                logger.warning("state file not used; starting empty", metadata: ["path": "\(path)", "reason": "\(error)"])
            }
        } catch {
            logger.warning("state file not used; starting empty", metadata: ["path": "\(path)", "reason": "\(error)"])
        }
    }

    /// Writes the state whenever `interval` steps were made, until the graceful shutdown; then
    /// once more.
    func run() async {
        for await _ in steps.due.cancelOnGracefulShutdown() { await save() }
        await save()
    }

    /// Writes the current state now.
    func save() async {
        let state = await engine.exportState()
        let path = self.path
        let saved = await files.run { () -> Result<Void, StateFileError> in
            do throws(StateFileError) { try StateFile.save(state, to: path); return .success(()) } catch { return .failure(error) }
        }
        do throws(StateFileError) {
            try saved.get()
            logger.debug("state saved", metadata: ["path": "\(path)", "last_bar": "\(state.lastBar.map(String.init) ?? "none")"])
        } catch {
            logger.warning("state not saved", metadata: ["path": "\(path)", "reason": "\(error)"])
        }
    }
}

/// Counts the engine's new steps and says, every `interval` of them, that the state file is due
/// a write. Made before the engine (which takes it as a listener), read by the `StateKeeper`
/// made after it. A write still pending absorbs the next ones, so nothing piles up.
final class StepCounter: StepListener {
    let interval: Int
    private let count = Locked(0)
    private let signal = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

    init(interval: Int = 100) {
        self.interval = interval
    }

    /// One element per write due.
    var due: AsyncStream<Void> { signal.stream }

    func stepPublished(_ step: PublishedStep) {
        let isDue = count.withLock { count -> Bool in
            count += 1
            guard count >= interval else { return false }
            count = 0
            return true
        }
        if isDue { signal.continuation.yield() }
    }
}
