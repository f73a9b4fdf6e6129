//! Rendering a chart's templates, as Helm's engine does: every template of the chart and its
//! subcharts parsed into one set (so any may include a template another defines), deepest
//! files first, and each file run over its own chart's `.Values`, `.Chart`, `.Files` and
//! `.Subcharts` with the release's `.Release` and `.Capabilities`.

use std::collections::BTreeMap;
use std::sync::Arc;

use orbital_template::{CallError, Function, Map, Param, Templates, Value, helm};

use crate::error::ChartError;
use crate::load::Chart;
use crate::objects::{ChartObject, Files};

/// Helm's `lookup` against a cluster: `(apiVersion, kind, namespace, name)` to the object
/// (an empty map when there is none), or to the list when `name` is empty. Without one, a
/// render looks up nothing, as `helm template` does.
pub type Lookup = Arc<dyn Fn(&str, &str, &str, &str) -> Result<Value, String> + Send + Sync>;

/// A template file to run: its source, the dot it runs over, and its chart's template folder.
struct Renderable {
    source: String,
    dot: Map,
    base_path: String,
}

/// Renders every template of `chart` (already processed for its dependencies) over `top`,
/// which holds `Values` (coalesced), `Release` and `Capabilities`. Returns each file's output
/// by its full name (`chart/charts/sub/templates/x.yaml`), partial files (`_*`) left out.
pub(crate) fn render_templates(
    chart: &Chart,
    top: &Map,
    lookup: Option<&Lookup>,
) -> Result<BTreeMap<String, String>, ChartError> {
    let mut renderables = BTreeMap::new();
    collect(chart, top, chart.name(), true, &mut renderables);
    let mut order: Vec<&String> = renderables.keys().collect();
    // Helm parses and runs the deepest files first, then by name, backwards.
    order.sort_by(|a, b| {
        (b.matches('/').count(), b.as_str()).cmp(&(a.matches('/').count(), a.as_str()))
    });
    let mut functions = helm();
    if let Some(lookup) = lookup {
        let lookup = lookup.clone();
        functions.insert(
            "lookup".to_owned(),
            Function::new(&[Param::Str; 4], None, move |args| {
                let text = |at: usize| match &args[at] {
                    Value::Str(text) => text.as_str(),
                    _ => "",
                };
                lookup(text(0), text(1), text(2), text(3)).map_err(CallError::Failed)
            }),
        );
    }
    let mut templates = Templates::with_functions(functions);
    for name in &order {
        templates.add(name, &renderables[*name].source)?;
    }
    let mut rendered = BTreeMap::new();
    for name in order {
        if base_name(name).starts_with('_') {
            continue;
        }
        let renderable = &renderables[name];
        renderable.dot.insert(
            "Template".to_owned(),
            Value::Map(Map::new(
                [
                    ("Name".to_owned(), Value::Str(name.clone())),
                    (
                        "BasePath".to_owned(),
                        Value::Str(renderable.base_path.clone()),
                    ),
                ]
                .into_iter()
                .collect(),
            )),
        );
        let output = templates.render(name, &Value::Map(renderable.dot.clone()))?;
        rendered.insert(name.clone(), output.replace("<no value>", ""));
    }
    Ok(rendered)
}

pub(crate) fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Helm's `recAllTpls`: the dot of `chart`'s templates, made from its parent's, and its
/// templates (a library chart's partials only) added to `renderables`.
fn collect(
    chart: &Chart,
    parent: &Map,
    full_path: &str,
    is_root: bool,
    renderables: &mut BTreeMap<String, Renderable>,
) -> Map {
    let subcharts = Map::default();
    let values = if is_root {
        parent.get("Values").unwrap_or(Value::Map(Map::default()))
    } else {
        match parent.get("Values") {
            Some(Value::Map(values)) => match values.get(chart.name()) {
                Some(Value::Map(own)) => Value::Map(own),
                _ => Value::Map(Map::default()),
            },
            _ => Value::Map(Map::default()),
        }
    };
    let dot = Map::new(
        [
            (
                "Chart".to_owned(),
                Value::Object(Arc::new(ChartObject {
                    metadata: chart.metadata.clone(),
                    is_root: Some(is_root),
                })),
            ),
            (
                "Files".to_owned(),
                Value::Object(Arc::new(Files(chart.files.clone()))),
            ),
            (
                "Release".to_owned(),
                parent.get("Release").unwrap_or(Value::Nil),
            ),
            (
                "Capabilities".to_owned(),
                parent.get("Capabilities").unwrap_or(Value::Nil),
            ),
            ("Values".to_owned(), values),
            ("Subcharts".to_owned(), Value::Map(subcharts.clone())),
        ]
        .into_iter()
        .collect(),
    );
    for subchart in &chart.dependencies {
        let sub_path = format!("{full_path}/charts/{}", subchart.name());
        let sub_dot = collect(subchart, &dot, &sub_path, false, renderables);
        subcharts.insert(subchart.name().to_owned(), Value::Map(sub_dot));
    }
    for template in &chart.templates {
        if chart.metadata.is_library() && !base_name(&template.name).starts_with('_') {
            continue;
        }
        renderables.insert(
            format!("{full_path}/{}", template.name),
            Renderable {
                source: String::from_utf8_lossy(&template.data).into_owned(),
                dot: dot.clone(),
                base_path: format!("{full_path}/templates"),
            },
        );
    }
    dot
}
