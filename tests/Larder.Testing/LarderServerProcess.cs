using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Larder.Testing;

/// <summary>
/// A real <c>larder serve</c> process on a free loopback port, for tests that need a server that can be killed,
/// restarted, or reached by the real Nix. Uses <see cref="LarderExecutable"/> unless told which larder to start.
/// </summary>
public sealed partial class LarderServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output;

    private LarderServerProcess(Process process, StringBuilder output, string dataDirectory, int port)
    {
        _process = process;
        _output = output;
        DataDirectory = dataDirectory;
        Port = port;
    }

    public string DataDirectory { get; }

    public int Port { get; }

    /// <summary><c>http://127.0.0.1:PORT</c>, without a trailing slash.</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    /// <summary>The admin token the server wrote to <c>DATA/admin-token</c> on first start.</summary>
    public string AdminToken => File.ReadAllText(Path.Combine(DataDirectory, "admin-token")).Trim();

    /// <summary>Everything the server printed so far (stdout and stderr), for diagnostics.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The server's process id, for reading its resources from <c>/proc</c>.</summary>
    public int ProcessId => _process.Id;

    /// <summary>
    /// Waits (at most <paramref name="timeout"/>) until the server has printed <paramref name="text"/>: its console
    /// logger writes from a queue, so a line logged while a request failed may appear just after the response.
    /// </summary>
    public async Task<bool> WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(20);
        }
        return true;
    }

    /// <summary>Starts the server and waits until it accepts connections.</summary>
    public static async Task<LarderServerProcess> StartAsync(
        string dataDirectory,
        IEnumerable<string>? extraArgs = null,
        IReadOnlyDictionary<string, string>? environment = null,
        int? port = null,
        string? executable = null)
    {
        var chosenPort = port ?? FreePort.Next();
        var (exe, prefix) = executable is null ? LarderExecutable.Locate() : LarderExecutable.For(executable);
        var start = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in prefix.Concat(["serve", "--listen", $"127.0.0.1:{chosenPort}", "--data", dataDirectory]).Concat(extraArgs ?? []))
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        var output = new StringBuilder();
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start larder serve");
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new LarderServerProcess(process, output, dataDirectory, chosenPort);
        await server.WaitUntilListeningAsync(TimeSpan.FromSeconds(60));
        return server;
    }

    /// <summary>Kills the server at once (SIGKILL), as a crash would.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    /// <summary>Asks the server to stop (SIGTERM) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }
        _ = SendSignal(_process.Id, SigTerm);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    private async Task WaitUntilListeningAsync(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                // The parameterless wait also drains the asynchronous stdout/stderr readers, so Output is complete.
                _process.WaitForExit();
                throw new InvalidOperationException($"larder serve exited with {_process.ExitCode} before listening:\n{Output}");
            }
            // The server's own line, not just an open port: another process may have taken the same free port.
            if (Output.Contains($"larder: listening on http://127.0.0.1:{Port}", StringComparison.Ordinal))
            {
                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync("127.0.0.1", Port);
                    return;
                }
                catch (SocketException)
                {
                }
            }
            await Task.Delay(50);
        }
        Kill();
        throw new TimeoutException($"larder serve did not listen on {Port} within {limit}:\n{Output}");
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
