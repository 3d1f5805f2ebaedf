import CLuaSupport

/// What a command line built on the host needs from its C side, so it never calls it directly.
public enum LuaProcess {
    /// Ctrl-C stops the running script (every host's hook honours it); a second Ctrl-C before
    /// the first is handled exits at once with status 130.
    public static func installInterruptHandler() { lh_install_sigint() }

    /// Puts the default Ctrl-C behaviour back.
    public static func uninstallInterruptHandler() { lh_uninstall_sigint() }

    /// Flushes what scripts printed: `print` writes through C's stdout buffer.
    public static func flushStandardOutput() { lh_flush_stdout() }
}
