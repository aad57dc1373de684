/// Replication (`--state-map`): catching up with the shared copy before a step, and taking
/// over a state another replica wrote.
extension FeatureEngine {
    /// How many decisions of a step write it to the replica: a step another replica committed
    /// first is answered from that state, decided again on it; the third decision does not
    /// replicate, so it always answers. None without a replica.
    var replicatedDecisions: Int { replica == nil ? 0 : 2 }

    /// Brings the engine up to the shared copy (before a step, and at start-up): takes a state
    /// that is ahead, or writes the whole local state where the shared copy lacks it.
    public func synchronize() async {
        guard let replica else { return }
        await synchronize(with: replica)
    }

    func synchronize(with replica: any StateReplica) async {
        switch await replica.prepare() {
        case .current, .unavailable:
            return
        case .adopt(let adoption):
            adopt(adoption)
        case .writeAll:
            if case .superseded(let adoption) = await replica.writeAll(exportState(), maxBars: configuration.maxBars) {
                adopt(adoption)
            }
        }
    }

    /// The rolling state as it is now, with the step bookkeeping given.
    func rollingState(emptyStreak: Int, lastStepTime: Double?) -> RollingState {
        let names = store.assetNames
        let assets = names.indices.map { slot in
            RollingState.Asset(name: names[slot], history: slot < calculator.assets.count
                ? calculator.assets[slot] : AssetHistory(configuration: configuration))
        }
        return RollingState(
            imbalanceLookback: configuration.imbalanceLookback, depthLookback: configuration.depthLookback,
            maxBars: configuration.maxBars, assets: assets, macro: calculator.macro, emptyStreak: emptyStreak,
            lastStepTime: lastStepTime, clockOffsets: clockOffsets())
    }

    /// Takes over a state from the shared copy.
    func adopt(_ adoption: ReplicaAdoption) {
        defer { pendingCheckpoint = .takenOver }
        switch adoption {
        case .whole(let state):
            do throws(StateRestoreError) {
                try restore(state)
                logger.info("took over the replicated state", metadata: [
                    "last_bar": "\(state.lastBar.map(String.init) ?? "none")", "bars": "\(state.steppedBars.count)",
                ])
            } catch {
                logger.error("replicated state not taken over; going on with the local one", metadata: ["reason": "\(error)"])
            }
        case .continuation(let reports, let rolling):
            guard rolling.imbalanceLookback == configuration.imbalanceLookback,
                  rolling.depthLookback == configuration.depthLookback else {
                logger.error("replicated state not taken over; going on with the local one",
                             metadata: ["reason": "other lookbacks \(rolling.imbalanceLookback)/\(rolling.depthLookback)"])
                return
            }
            // As if this engine had made those steps: their features published, then the
            // histories after the last one.
            for report in reports {
                let registered = store.slots(forStep: report.computed.map(\.asset))
                for slot in registered.recycled { clocks.reset(slot: slot) }
                store.publish(report: report, slots: registered.slots, at: rolling.lastStepTime ?? 0)
            }
            let registered = store.slots(forStep: rolling.assets.map(\.name))
            for slot in registered.recycled { clocks.reset(slot: slot) }
            let named = registered.slots
            var histories = calculator.assets
            while histories.count < store.assetCount { histories.append(AssetHistory(configuration: configuration)) }
            for (asset, slot) in zip(rolling.assets, named) {
                if let slot { histories[slot] = asset.history }
            }
            calculator = FeatureCalculator(configuration: configuration, assets: histories, macro: rolling.macro)
            restoreClockOffsets(rolling.clockOffsets)
            store.setBookkeeping(emptyStreak: rolling.emptyStreak, lastStepTime: rolling.lastStepTime)
        }
    }
}
