import Foundation
import Testing

/// Inputs the operator gets wrong (or unusual but valid ones) get a plain
/// sentence and the documented status, never a library's raw error.
@Suite("command line errors")
struct CommandLineErrorTests {
    static let credentials: [String: String?] = [
        "THINGSPACE_CLIENT_ID": "id", "THINGSPACE_CLIENT_SECRET": "secret-value", "THINGSPACE_USERNAME": "u",
        "THINGSPACE_PASSWORD": "password-value", "FOTA_CA_FILE": nil, "FOTA_PROFILE": nil,
    ]

    @Test("attack: a non-PEM --ca-file or FOTA_CA_FILE is named as not a PEM certificate file, not a BoringSSL error")
    func caFileNotPEM() throws {
        let folder = try TempFolder()
        try folder.write("ca.txt", "this is not a certificate\n")
        try folder.write("s.lua", "print(1)")
        let viaFlag = try fota(["run", "--ca-file", "ca.txt", "s.lua"], in: folder.path, environment: Self.credentials)
        #expect(viaFlag.status == 78)
        #expect(viaFlag.stderr == "fota: CA file \"ca.txt\" from --ca-file is not a PEM certificate file\n", "\(viaFlag.stderr)")
        var environment = Self.credentials
        environment["FOTA_CA_FILE"] = folder.path + "/s.lua"
        let viaEnvironment = try fota(["run", "s.lua"], in: folder.path, environment: environment)
        #expect(viaEnvironment.status == 78)
        #expect(viaEnvironment.stderr == "fota: CA file \"\(folder.path)/s.lua\" from FOTA_CA_FILE is not a PEM certificate file\n",
                "\(viaEnvironment.stderr)")
        #expect(viaFlag.stdout == "" && viaEnvironment.stdout == "")
    }

    @Test("attack: a script from process substitution or a pipe on /dev/stdin fails with Permission denied; it runs")
    func scriptFromPipe() throws {
        let substituted = try Subprocess("/bin/bash", ["-c", #""$0" run <(printf 'print("from", arg[0] ~= nil)\n')"#, fotaBinary]).wait()
        #expect(substituted.status == 0, "\(substituted.stderr)")
        #expect(substituted.stdout == "from\ttrue\n")
        let piped = try Subprocess("/bin/bash", ["-c", #"printf 'print(...)\n' | "$0" run /dev/stdin a b"#, fotaBinary]).wait()
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdout == "a\tb\n")
        let input = try Subprocess("/bin/bash", ["-c", #""$0" run <(printf 'print(files.read(arg[1]))\n') @<(printf 'devices')"#, fotaBinary]).wait()
        #expect(input.status == 0, "\(input.stderr)")
        #expect(input.stdout == "devices\n")
    }

    @Test("attack: a script in a FIFO fails with Permission denied; it is read once its writer sends it")
    func scriptFromFIFO() throws {
        let folder = try TempFolder()
        let fifo = folder.path + "/script.lua"
        #expect(mkfifo(fifo, 0o600) == 0)
        let process = try Subprocess(fotaBinary, ["run", fifo])
        // Opening for writing succeeds only once fota has the FIFO open for reading.
        let deadline = Date().addingTimeInterval(60)
        var fd: Int32 = -1
        while fd < 0 && Date() < deadline && process.isRunning {
            fd = open(fifo, O_WRONLY | O_NONBLOCK)
            if fd < 0 { usleep(10_000) }
        }
        #expect(fd >= 0, "fota never opened the FIFO")
        if fd >= 0 {
            let script = Array("print('fifo', 1 + 1)\n".utf8)
            #expect(write(fd, script, script.count) == script.count)
            close(fd)
        }
        let result = process.wait()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "fifo\t2\n")
    }

    @Test("an unreadable script (missing, a folder, a path through a file) is exit status 66 with the reason")
    func unreadableScript() throws {
        let folder = try TempFolder()
        try folder.write("file.lua", "print(1)")
        try FileManager.default.createDirectory(atPath: folder.path + "/dir.lua", withIntermediateDirectories: true)
        for (path, reason) in [("missing.lua", "No such file or directory"), ("dir.lua", "it is a folder"),
                               ("file.lua/x.lua", "Not a directory")] {
            let result = try fota(["run", path], in: folder.path)
            #expect(result.status == 66, "\(path): \(result.stderr)")
            #expect(result.stderr == "fota: cannot read script '\(path)': \(reason)\n", "\(path)")
        }
    }

    @Test("attack: fota sim --port N on a busy port prints a raw bind(...) error; it says the port is in use")
    func simBusyPort() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(listener >= 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length) == 0 && listen(listener, 1) == 0 && getsockname(listener, pointer, &length) == 0
            }
        }
        #expect(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let result = try fota(["sim", "--port", "\(port)"])
        #expect(result.status == 78)
        #expect(result.stderr == "fota: port \(port) is already in use; choose another with --port or --port 0\n", "\(result.stderr)")
        #expect(result.stdout == "")
    }
}
