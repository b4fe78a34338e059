using System.Text;

namespace Larder.Nix.Tests.Nar;

/// <summary>Seeded random file trees: nested directories, empty and executable files, all kinds of symlinks, odd names.</summary>
internal static class RandomTree
{
    private static readonly string[] NameParts =
        ["a", "B", "z", "0", "9", "-", "_", ".", "+", "=", "~", " ", "é", "日", "\U0001F389", "\uFF01", "ab", "lib", ".x"];

    /// <summary>Creates a random node at <paramref name="path"/> (a directory most of the time).</summary>
    public static void Create(string path, Random random, int maxDepth = 4)
    {
        switch (random.Next(10))
        {
            case 0:
                CreateFile(path, random);
                break;
            case 1:
                File.CreateSymbolicLink(path, RandomTarget(random));
                break;
            default:
                CreateDirectory(path, random, maxDepth);
                break;
        }
    }

    private static void CreateDirectory(string path, Random random, int depthLeft)
    {
        Directory.CreateDirectory(path);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var count = random.Next(depthLeft > 0 ? 7 : 4);
        while (names.Count < count)
        {
            names.Add(RandomName(random));
        }
        foreach (var name in names)
        {
            var child = Path.Combine(path, name);
            var kind = random.Next(10);
            if (kind < 5 || depthLeft == 0)
            {
                CreateFile(child, random);
            }
            else if (kind < 7)
            {
                File.CreateSymbolicLink(child, RandomTarget(random));
            }
            else
            {
                CreateDirectory(child, random, depthLeft - 1);
            }
        }
    }

    private static void CreateFile(string path, Random random)
    {
        // Mostly small files around the padding boundaries, sometimes bigger than the writer's and parser's buffers.
        var size = random.Next(20) switch
        {
            0 => 0,
            1 => random.Next(300_000, 1_200_000),
            _ => random.Next(40),
        };
        var contents = new byte[size];
        random.NextBytes(contents);
        File.WriteAllBytes(path, contents);
        if (random.Next(3) == 0)
        {
            File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(random.Next(2) == 0 ? "755" : "744", 8));
        }
        else if (random.Next(4) == 0)
        {
            // group/other execute without owner execute: not executable for Nix
            File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("655", 8));
        }
    }

    private static string RandomName(Random random)
    {
        var sb = new StringBuilder();
        var parts = random.Next(1, 4);
        for (var i = 0; i < parts; i++)
        {
            sb.Append(NameParts[random.Next(NameParts.Length)]);
        }
        var name = sb.ToString();
        return name is "." or ".." ? name + "x" : name;
    }

    private static string RandomTarget(Random random) => random.Next(4) switch
    {
        0 => "/nix/store/" + RandomName(random),
        1 => "../" + RandomName(random),
        2 => RandomName(random) + "/" + RandomName(random),
        _ => RandomName(random),
    };
}
