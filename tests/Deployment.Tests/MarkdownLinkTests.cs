using System.Text.RegularExpressions;

namespace Streaming.Deployment.Tests;

/// <summary>Every relative link in the repository's markdown resolves to a file or folder inside the repository.</summary>
public sealed partial class MarkdownLinkTests
{
    public static TheoryData<string> MarkdownFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Tools.RepoRoot, "*.md", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Tools.RepoRoot, f))
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or ".git" or "node_modules"))
            .Order(StringComparer.Ordinal))
        {
            data.Add(file);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MarkdownFiles))]
    public void Every_relative_link_resolves_inside_the_repository(string file)
    {
        var path = Tools.PathOf(file);
        var broken = new List<string>();
        foreach (Match link in Link().Matches(File.ReadAllText(path)))
        {
            var target = link.Groups["target"].Value.Trim();
            if (target.Length == 0 || target.StartsWith('#') || Uri.TryCreate(target, UriKind.Absolute, out _))
            {
                continue;
            }

            var withoutAnchor = target.Split('#')[0];
            var resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, Uri.UnescapeDataString(withoutAnchor)));
            var inside = resolved.StartsWith(Path.GetFullPath(Tools.RepoRoot), StringComparison.Ordinal);
            if (!inside || (!File.Exists(resolved) && !Directory.Exists(resolved)))
            {
                broken.Add(target);
            }
        }

        Assert.True(broken.Count == 0, $"{file} links to what is not in the repository: {string.Join(", ", broken)}");
    }

    [Theory]
    [MemberData(nameof(MarkdownFiles))]
    public void No_document_refers_to_design_material_outside_the_repository(string file)
    {
        Assert.DoesNotContain("shared/", File.ReadAllText(Tools.PathOf(file)), StringComparison.Ordinal);
    }

    // [text](target) and [text](target "title"); images too. Code spans are not excluded: a link-shaped
    // example in code should resolve as well.
    [GeneratedRegex(@"\]\((?<target>[^)\s]+)(\s+""[^""]*"")?\)")]
    private static partial Regex Link();
}
