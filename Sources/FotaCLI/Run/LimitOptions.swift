import ArgumentParser
import LuaHost

/// Sandbox limits shared by `fota run` and `fota repl`.
struct LimitOptions: ParsableArguments {
    @Option(name: .customLong("memory-limit"), help: ArgumentHelp("Memory the script's Lua heap may use, in MiB.", valueName: "MiB"))
    var memoryLimit: Int = LuaLimits.defaultMemoryMiB

    @Option(name: .customLong("cpu-limit"), help: ArgumentHelp("CPU time the script may use, in seconds (0 = no limit).", valueName: "seconds"))
    var cpuLimit: Double = LuaLimits.defaultCPUSeconds

    @Option(name: .customLong("timeout"), help: ArgumentHelp(
        "Wall-clock time the run may take: seconds, or a number with s, m, h or d (90m, 36h, 14d); 0 = no limit.",
        valueName: "duration"))
    var timeoutText: String = "3600"

    /// --timeout in seconds (validate() has checked it parses).
    var timeout: Double { Self.seconds(timeoutText) ?? 0 }

    /// Seconds in a duration: `90`, `1.5`, `90s`, `90m`, `36h`, `14d`; nil when it is none of these.
    static func seconds(_ text: String) -> Double? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var number = Substring(text)
        var unit = 1.0
        if let last = number.last, let scale = units[last] {
            unit = scale
            number = number.dropLast()
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
            let value = Double(number), value.isFinite
        else { return nil }
        return value * unit
    }

    func validate() throws {
        guard memoryLimit >= 1, memoryLimit <= 1 << 20 else {
            throw ValidationError("--memory-limit must be between 1 and 1048576 MiB, not \(memoryLimit)")
        }
        guard cpuLimit >= 0, cpuLimit.isFinite else { throw ValidationError("--cpu-limit must be 0 or a positive number of seconds") }
        guard Self.seconds(timeoutText) != nil else {
            throw ValidationError(
                "--timeout '\(timeoutText)' is not a duration: give seconds (3600) or a number with s, m, h or d (90m, 36h, 14d)")
        }
    }

    var luaLimits: LuaLimits { LuaLimits(memoryBytes: memoryLimit << 20, cpuSeconds: cpuLimit) }

    /// What to tell the operator when a limit trips: the limit, its value and the flag that raises it.
    func explain(_ limit: LuaLimit) -> String {
        switch limit {
        case .memory: return "memory limit exceeded: the script needed more than \(memoryLimit) MiB (raise it with --memory-limit MiB)"
        case .cpu: return "CPU time limit exceeded: the script ran for more than \(format(cpuLimit)) s of CPU (raise it with --cpu-limit seconds)"
        case .wallClock: return "time limit exceeded: the run took longer than \(shownTimeout) (raise it with --timeout, e.g. --timeout 36h)"
        }
    }

    /// The timeout as the operator gave it: `3600 s`, `36h`.
    private var shownTimeout: String {
        timeoutText.last.map { $0.isNumber || $0 == "." } ?? true ? "\(format(timeout)) s" : timeoutText
    }

    private func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
