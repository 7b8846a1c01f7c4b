using System.IO.Compression;
using System.Xml.Linq;
using Xunit;

namespace ChatEngine.Deploy.Tests;

/// <summary><c>dotnet pack</c> makes the <c>chatengine</c> dotnet tool (which installs and runs) and the documented library package.</summary>
[Collection(DotnetBuildCollection.Name)]
public sealed class PackageTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("chatengine-pack-").FullName;

    private string Pack(string project)
    {
        var (code, log) = Processes.Run(Processes.Command("dotnet", ["pack", project, "-c", "Release", "-o", _folder], RepoFiles.Path()), TimeSpan.FromMinutes(8));
        Assert.True(code == 0, log);
        return Assert.Single(Directory.GetFiles(_folder, $"{Path.GetFileName(project)switch { "ChatEngine.Cli" => "ChatEngine.Tool", var name => name }}.*.nupkg"));
    }

    [Fact]
    public void The_cli_packs_as_a_dotnet_tool_that_installs_and_runs_the_bundled_model_from_anywhere()
    {
        var package = Pack("src/ChatEngine.Cli");
        using (var zip = ZipFile.OpenRead(package))
        {
            var settings = XDocument.Load(zip.GetEntry("tools/net10.0/any/DotnetToolSettings.xml")!.Open());
            var command = settings.Descendants("Command").Single();
            Assert.Equal("chatengine", command.Attribute("Name")!.Value);
            Assert.Equal("chatengine.dll", command.Attribute("EntryPoint")!.Value);
            Assert.NotNull(zip.GetEntry("tools/net10.0/any/models/stories260K.gguf"));
        }

        var tools = Path.Combine(_folder, "tools");
        var isolated = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(_folder, "packages") };
        var (installCode, installLog) = Processes.Run(Processes.Command("dotnet",
            ["tool", "install", "ChatEngine.Tool", "--tool-path", tools, "--add-source", _folder, "--version", "0.1.0"], _folder, isolated), TimeSpan.FromMinutes(3));
        Assert.True(installCode == 0, installLog);
        var run = Processes.Run(Processes.Command(Path.Combine(tools, "chatengine"),
            ["generate", "-m", "models/stories260K.gguf", "-p", "Once upon a time", "-n", "4", "--temperature", "0", "-t", "1"], _folder), TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.StartsWith("Once upon a time", run.Stdout);
    }

    [Fact]
    public void The_library_package_carries_xml_docs_for_its_public_api_and_its_dependencies()
    {
        var package = Pack("src/ChatEngine.Extensions.AI");
        using var zip = ZipFile.OpenRead(package);

        var docs = XDocument.Load(zip.GetEntry("lib/net10.0/ChatEngine.Extensions.AI.xml")!.Open());
        var members = docs.Descendants("member").ToDictionary(m => m.Attribute("name")!.Value, m => m.Element("summary")?.Value.Trim() ?? "");
        foreach (var type in new[] { "InProcessModel", "InProcessModelOptions", "InProcessChatClient", "InProcessEmbeddingGenerator" })
            Assert.False(string.IsNullOrEmpty(members[$"T:ChatEngine.Extensions.AI.{type}"]), type);
        var nuspec = XDocument.Load(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        var dependencies = nuspec.Descendants().Where(e => e.Name.LocalName == "dependency").ToDictionary(d => d.Attribute("id")!.Value, d => d.Attribute("version")!.Value);
        var pinned = XDocument.Load(RepoFiles.Path("Directory.Packages.props")).Descendants("PackageVersion")
            .Single(p => p.Attribute("Include")!.Value == "Microsoft.Extensions.AI.Abstractions").Attribute("Version")!.Value;
        Assert.Equal(pinned, dependencies["Microsoft.Extensions.AI.Abstractions"]);
        Assert.True(dependencies.ContainsKey("ChatEngine.Runtime"));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
