using System.Text.Json;

namespace Larder.Cli.Config;

/// <summary>
/// Loads and saves <see cref="CliConfig"/>. The file holds tokens, so it is written owner-only (0600), atomically
/// (temp file + rename) so a crash never leaves it truncated.
/// </summary>
public sealed class ConfigStore(string path)
{
    /// <summary>The config file path.</summary>
    public string Path { get; } = path;

    /// <summary>
    /// The store at <c>$LARDER_CONFIG</c>, else <c>$XDG_CONFIG_HOME/larder/config.json</c>, else
    /// <c>~/.config/larder/config.json</c>.
    /// </summary>
    public static ConfigStore Default()
    {
        var explicitPath = Environment.GetEnvironmentVariable("LARDER_CONFIG");
        if (!string.IsNullOrEmpty(explicitPath))
        {
            return new ConfigStore(explicitPath);
        }
        var configHome = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        if (string.IsNullOrEmpty(configHome))
        {
            configHome = System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        }
        return new ConfigStore(System.IO.Path.Combine(configHome, "larder", "config.json"));
    }

    /// <summary>Reads the file; a missing file is an empty config, a malformed one an error naming the file.</summary>
    public CliConfig Load()
    {
        if (!File.Exists(Path))
        {
            return new CliConfig();
        }
        try
        {
            using var stream = File.OpenRead(Path);
            var config = JsonSerializer.Deserialize(stream, ConfigJsonContext.Default.CliConfig) ?? new CliConfig();
            config.Servers = new SortedDictionary<string, ServerEntry>(config.Servers, StringComparer.Ordinal);
            return config;
        }
        catch (JsonException e)
        {
            throw new Infrastructure.CliException(
                $"the config file {Path} is not valid JSON: {e.Message}",
                "fix or delete it, then run `larder login` again");
        }
    }

    /// <summary>Writes the file (mode 0600) via a temp file in the same directory and a rename.</summary>
    public void Save(CliConfig config)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
        Directory.CreateDirectory(directory);
        var temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(Path)}.{Environment.ProcessId}.tmp");
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        try
        {
            using (var stream = new FileStream(temp, options))
            {
                JsonSerializer.Serialize(stream, config, ConfigJsonContext.Default.CliConfig);
                stream.Flush(flushToDisk: true);
            }
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.Move(temp, Path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
