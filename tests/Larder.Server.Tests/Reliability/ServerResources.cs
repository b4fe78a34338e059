namespace Larder.Server.Tests.Reliability;

/// <summary>A server process's memory and open files (from <c>/proc</c>), and the size of folders it writes to.</summary>
internal static class ServerResources
{
    /// <summary>Resident memory now, in MiB.</summary>
    public static double ResidentMiB(int pid) => StatusKiB(pid, "VmRSS:") / 1024.0;

    /// <summary>The highest resident memory the process has had so far, in MiB.</summary>
    public static double PeakResidentMiB(int pid) => StatusKiB(pid, "VmHWM:") / 1024.0;

    /// <summary>Open file descriptors (files, sockets, pipes).</summary>
    public static int OpenFiles(int pid) => Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;

    /// <summary>Files under <paramref name="directory"/> (recursively) and their total bytes; zero when it does not exist.</summary>
    public static (int Files, long Bytes) Usage(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return (0, 0);
        }
        var files = new DirectoryInfo(directory).GetFiles("*", SearchOption.AllDirectories);
        return (files.Length, files.Sum(f => f.Length));
    }

    private static long StatusKiB(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0]);
    }
}
