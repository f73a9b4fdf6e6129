//! A chart packaged as `helm package` packages it: a gzipped tar of its files under a folder
//! named after it. The archive is the same bytes every time for the same files, so its digest
//! is stable across restarts.

use std::io::Write;

use orbital_chart::ChartFile;

/// A chart that could not be packaged.
#[derive(Debug, thiserror::Error)]
#[error("cannot package the chart {chart}: {source}")]
pub struct PackageError {
    chart: String,
    source: std::io::Error,
}

/// The archive of the chart `name` made of `files` (named inside the chart).
pub fn package(name: &str, files: &[ChartFile]) -> Result<Vec<u8>, PackageError> {
    let failed = |source| PackageError {
        chart: name.to_owned(),
        source,
    };
    let encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut builder = tar::Builder::new(encoder);
    for file in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(file.data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Regular);
        builder
            .append_data(
                &mut header,
                format!("{name}/{}", file.name),
                file.data.as_slice(),
            )
            .map_err(failed)?;
    }
    let mut encoder = builder.into_inner().map_err(failed)?;
    encoder.flush().map_err(failed)?;
    encoder.finish().map_err(failed)
}

#[cfg(test)]
mod tests {
    use orbital_chart::Chart;

    use super::*;

    #[test]
    fn a_package_loads_back_as_the_same_chart_and_is_the_same_bytes_every_time() {
        let files = vec![
            ChartFile {
                name: "Chart.yaml".to_owned(),
                data: b"apiVersion: v2\nname: web\nversion: 1.0.0\n".to_vec(),
            },
            ChartFile {
                name: "templates/a.yaml".to_owned(),
                data: b"kind: ConfigMap\n".to_vec(),
            },
        ];
        let archive = package("web", &files).unwrap();
        assert_eq!(archive, package("web", &files).unwrap());
        let chart = Chart::from_archive(&archive).unwrap();
        assert_eq!(chart.name(), "web");
        assert_eq!(chart.templates, files[1..]);
    }
}
