import Dispatch
import Logging
import OBFEngine

/// Keeps the engine's state file: loads it at start-up and writes it every
/// `interval` steps and at shutdown, one write at a time, off the engine actor. The file I/O
/// (reads, writes, fsyncs) runs on a queue of its own, never on the Swift concurrency pool.
actor StateKeeper {
    let path: String
    let interval: Int
    let engine: FeatureEngine
    let logger: Logger
    private var stepsSinceSave = 0
    private var writing = false
    /// Where the blocking file calls run.
    private let files = DispatchQueue(label: "obf.state-file")

    init(path: String, interval: Int = 100, engine: FeatureEngine, logger: Logger) {
        self.path = path
        self.interval = interval
        self.engine = engine
        self.logger = logger
    }

    /// Loads the file into the engine; any problem is logged and the engine starts empty.
    func load() async {
        let path = self.path
        let loaded = await offPool(on: files) { () -> Result<EngineState?, StateFileError> in
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

    /// Counts a finished step; every `interval` steps the state is written.
    func stepFinished() async {
        stepsSinceSave += 1
        guard stepsSinceSave >= interval, !writing else { return }
        stepsSinceSave = 0
        await save()
    }

    /// Writes the current state now.
    func save() async {
        writing = true
        defer { writing = false }
        let state = await engine.exportState()
        let path = self.path
        let saved = await offPool(on: files) { () -> Result<Void, StateFileError> in
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
