import ArgumentParser
import LuaHost

/// Sandbox limits shared by `fota run` and `fota repl`.
struct LimitOptions: ParsableArguments {
    @Option(name: .customLong("memory-limit"), help: ArgumentHelp("Memory the script's Lua heap may use, in MiB.", valueName: "MiB"))
    var memoryLimit: Int = LuaLimits.defaultMemoryMiB

    @Option(name: .customLong("cpu-limit"), help: ArgumentHelp("CPU time the script may use, in seconds (0 = no limit).", valueName: "seconds"))
    var cpuLimit: Double = LuaLimits.defaultCPUSeconds

    @Option(name: .customLong("timeout"), help: ArgumentHelp("Wall-clock time the run may take, in seconds (0 = no limit).", valueName: "seconds"))
    var timeout: Double = 3600

    func validate() throws {
        guard memoryLimit >= 1, memoryLimit <= 1 << 20 else {
            throw ValidationError("--memory-limit must be between 1 and 1048576 MiB, not \(memoryLimit)")
        }
        guard cpuLimit >= 0, cpuLimit.isFinite else { throw ValidationError("--cpu-limit must be 0 or a positive number of seconds") }
        guard timeout >= 0, timeout.isFinite else { throw ValidationError("--timeout must be 0 or a positive number of seconds") }
    }

    var luaLimits: LuaLimits { LuaLimits(memoryBytes: memoryLimit << 20, cpuSeconds: cpuLimit) }

    /// What to tell the operator when a limit trips: the limit, its value and the flag that raises it.
    func explain(_ limit: LuaLimit) -> String {
        switch limit {
        case .memory: return "memory limit exceeded: the script needed more than \(memoryLimit) MiB (raise it with --memory-limit MiB)"
        case .cpu: return "CPU time limit exceeded: the script ran for more than \(format(cpuLimit)) s of CPU (raise it with --cpu-limit seconds)"
        case .wallClock: return "time limit exceeded: the run took longer than \(format(timeout)) s (raise it with --timeout seconds)"
        }
    }

    private func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
