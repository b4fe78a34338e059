using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Larder.Server.Metadata;

namespace Larder.Server.BinaryCache.PinTarball;

/// <summary>
/// The pin tarball: one top-level directory <c>pins/</c> (Nix unpacks a tarball with exactly one) holding
/// <c>default.nix</c>, an attribute set of the pinned paths through <c>builtins.storePath</c>, and <c>flake.nix</c>,
/// which exposes them as <c>packages.${builtins.currentSystem}.NAME</c> and pins with an artifact as apps (Larder does
/// not record a path's system, and <c>builtins.storePath</c> needs <c>--impure</c> in a flake anyway). Deterministic: entries in a fixed order, fixed
/// times, owners and modes, the pins sorted by name, so equal pins give equal bytes on every replica.
/// </summary>
public static class PinTarballBuilder
{
    /// <summary>The top-level directory of the tarball.</summary>
    public const string Directory = "pins";

    private static readonly DateTimeOffset FixedTime = DateTimeOffset.FromUnixTimeSeconds(1);
    private const UnixFileMode DirectoryMode = (UnixFileMode)0b111_101_101;
    private const UnixFileMode FileMode = (UnixFileMode)0b110_100_100;

    /// <summary>The gzip-compressed tarball of <paramref name="pins"/> of cache <paramref name="cacheName"/>.</summary>
    public static byte[] Build(string cacheName, IReadOnlyList<PinRecord> pins)
    {
        ArgumentNullException.ThrowIfNull(pins);
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Ustar, leaveOpen: true))
        {
            tar.WriteEntry(new UstarTarEntry(TarEntryType.Directory, Directory + "/") { ModificationTime = FixedTime, Mode = DirectoryMode });
            WriteFile(tar, "default.nix", DefaultNix(cacheName, pins));
            WriteFile(tar, "flake.nix", FlakeNix(cacheName, pins));
        }
        return output.ToArray();
    }

    /// <summary>The attribute set of pinned paths, one line per pin, sorted by name.</summary>
    internal static string DefaultNix(string cacheName, IReadOnlyList<PinRecord> pins)
    {
        var text = new StringBuilder()
            .Append("# The pins of Larder cache '").Append(cacheName).Append("': each attribute is the pinned store path.\n")
            .Append("# `nix build -f URL NAME` or `import`: Nix substitutes the path from a cache that holds it; nothing else is evaluated.\n")
            .Append("{\n");
        foreach (var pin in pins.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            text.Append("  ").Append(NixString(pin.Name)).Append(" = builtins.storePath ").Append(NixString(pin.Current.StorePath)).Append(";\n");
        }
        return text.Append("}\n").ToString();
    }

    /// <summary>
    /// The flake: every pin as <c>packages</c>, and each pin with an artifact also as an <c>apps</c> entry running it
    /// (<c>nix run --impure URL#NAME</c>), for the current system.
    /// </summary>
    internal static string FlakeNix(string cacheName, IReadOnlyList<PinRecord> pins)
    {
        var text = new StringBuilder()
            .Append("{\n")
            .Append("  description = ").Append(NixString($"The pins of Larder cache '{cacheName}'")).Append(";\n")
            .Append("  # builtins.storePath needs impure evaluation: nix eval --impure --raw URL#NAME, nix run --impure URL#NAME.\n")
            .Append("  outputs = { self }:\n")
            .Append("    let pins = import ./default.nix; in {\n")
            .Append("      packages.${builtins.currentSystem} = pins;\n")
            .Append("      apps.${builtins.currentSystem} = {\n");
        foreach (var pin in pins.Where(p => p.Current.Artifact is not null).OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            text.Append("        ").Append(NixString(pin.Name)).Append(" = { type = \"app\"; program = \"${pins.").Append(NixString(pin.Name))
                .Append("}/").Append(NixString(pin.Current.Artifact!)[1..^1]).Append("\"; };\n");
        }
        return text.Append("      };\n    };\n}\n").ToString();
    }

    private static void WriteFile(TarWriter tar, string name, string content)
    {
        var bytes = new MemoryStream(Encoding.UTF8.GetBytes(content), writable: false);
        tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, $"{Directory}/{name}")
        {
            ModificationTime = FixedTime,
            Mode = FileMode,
            DataStream = bytes,
        });
    }

    /// <summary>A Nix string literal (pin names and store paths never need escapes; this keeps it so for anything else).</summary>
    private static string NixString(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("${", "\\${", StringComparison.Ordinal) + "\"";
}
