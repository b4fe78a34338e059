using System.Globalization;

namespace Larder.Cli.Tests.Artifact;

/// <summary>
/// A make-based C project of 40 small modules, a header and a main program (42 files with the Makefile): each object
/// depends on its source and the header, the program on every object.
/// </summary>
internal static class CProject
{
    public const int Modules = 40;

    private const string Makefile = """
        SRCS := $(sort $(wildcard src/*.c))
        OBJS := $(patsubst src/%.c,build/%.o,$(SRCS))

        build/prog: $(OBJS)
        	cc -o build/prog $(OBJS)

        build/%.o: src/%.c src/common.h
        	@mkdir -p build
        	cc -O1 -c $< -o $@
        """;

    /// <summary>Writes the project into <paramref name="directory"/>; module <paramref name="variantModule"/> gets <paramref name="variant"/>.</summary>
    public static void Write(string directory, int variantModule = -1, int variant = 0)
    {
        var src = Path.Combine(directory, "src");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(directory, "Makefile"), Makefile + "\n");
        var header = string.Concat(Enumerable.Range(0, Modules).Select(i => $"int f{i:D2}(int x);\n"));
        File.WriteAllText(Path.Combine(src, "common.h"), header);
        for (var i = 0; i < Modules; i++)
        {
            var constant = i == variantModule ? 1000 + variant : i;
            File.WriteAllText(
                Path.Combine(src, $"f{i:D2}.c"),
                string.Create(CultureInfo.InvariantCulture, $"#include \"common.h\"\nint f{i:D2}(int x) {{ return x * {i + 1} + {constant}; }}\n"));
        }
        var calls = string.Concat(Enumerable.Range(0, Modules).Select(i => $"    sum += f{i:D2}(sum % 97);\n"));
        File.WriteAllText(Path.Combine(src, "main.c"), $"#include <stdio.h>\n#include \"common.h\"\nint main(void) {{\n    int sum = 1;\n{calls}    printf(\"%d\\n\", sum);\n    return 0;\n}}\n");
    }

    /// <summary>How many object files make compiled, from its output.</summary>
    public static int CompiledObjects(string makeOutput) =>
        makeOutput.Split('\n').Count(line => line.TrimStart().StartsWith("cc -O1 -c src/", StringComparison.Ordinal));
}
