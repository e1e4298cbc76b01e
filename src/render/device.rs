//! Adapter choice and device creation, and turning wgpu's asynchronous error
//! reports into [`RenderError`]s instead of panics.

use std::sync::{Arc, Mutex};

use super::RenderError;

/// Environment variable that overrides the adapter choice: `cpu`, `gpu`, a
/// backend (`vulkan`, `gl`), or a case-insensitive substring of the adapter name.
pub const ADAPTER_ENV: &str = "AVATARCAST_ADAPTER";

/// The colour format every frame is rendered in: 8-bit sRGB, so shaders write
/// linear values and the hardware encodes them.
pub const COLOR_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8UnormSrgb;
pub const DEPTH_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Depth32Float;

/// An open device and the errors it has reported but nobody collected yet.
pub struct GpuDevice {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub info: wgpu::AdapterInfo,
    /// MSAA sample count actually used (the request may be lowered to 1 on GL).
    pub msaa_samples: u32,
    uncaptured: Arc<Mutex<Vec<String>>>,
    lost: Arc<Mutex<Option<String>>>,
}

/// The adapter [`GpuDevice::open`] would choose, without opening a device.
fn preferred_adapter() -> Result<wgpu::Adapter, RenderError> {
    let instance = wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle());
    let adapters = pollster::block_on(
        instance.enumerate_adapters(wgpu::Backends::VULKAN | wgpu::Backends::GL),
    );
    let preference = std::env::var(ADAPTER_ENV).unwrap_or_default();
    choose_adapter(adapters, &preference)
}

/// Whether rendering would run on a CPU rasteriser (lavapipe, llvmpipe);
/// false when there is no adapter at all (opening one will say why).
pub fn preferred_adapter_is_cpu() -> bool {
    preferred_adapter().is_ok_and(|a| a.get_info().device_type == wgpu::DeviceType::Cpu)
}

impl GpuDevice {
    pub fn open(requested_msaa: u32) -> Result<GpuDevice, RenderError> {
        let adapter = preferred_adapter()?;
        let info = adapter.get_info();

        let format_features = adapter.get_texture_format_features(COLOR_FORMAT);
        // llvmpipe's GL backend resolves MSAA to an all-zero image without an
        // error (see shared/notes/render-encode.md), so GL renders 1x.
        let msaa_samples = if requested_msaa > 1
            && (info.backend == wgpu::Backend::Gl
                || !format_features.flags.sample_count_supported(requested_msaa))
        {
            tracing::warn!(
                adapter = %info.name,
                backend = ?info.backend,
                "MSAA {requested_msaa}x unavailable on this adapter; rendering 1x"
            );
            1
        } else {
            requested_msaa
        };

        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("avatarcast render device"),
            required_features: wgpu::Features::empty(),
            // The adapter's own limits: storage buffers in the vertex stage and
            // big morph buffers need more than WebGPU's defaults on GL.
            required_limits: adapter.limits(),
            experimental_features: wgpu::ExperimentalFeatures::disabled(),
            memory_hints: wgpu::MemoryHints::Performance,
            trace: wgpu::Trace::Off,
        }))
        .map_err(|e| RenderError::RequestDevice(e.to_string()))?;

        let uncaptured = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&uncaptured);
        device.on_uncaptured_error(Arc::new(move |error: wgpu::Error| {
            if let Ok(mut errors) = sink.lock() {
                errors.push(error.to_string());
            }
        }));
        let lost = Arc::new(Mutex::new(None));
        let lost_sink = Arc::clone(&lost);
        device.set_device_lost_callback(move |reason, message| {
            if let Ok(mut lost) = lost_sink.lock() {
                *lost = Some(format!("{reason:?}: {message}"));
            }
        });

        Ok(GpuDevice {
            device,
            queue,
            info,
            msaa_samples,
            uncaptured,
            lost,
        })
    }

    /// Runs `work` inside a validation error scope and returns the first
    /// error it (or anything earlier and uncollected) caused.
    pub fn checked<T>(&self, work: impl FnOnce(&wgpu::Device) -> T) -> Result<T, RenderError> {
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let value = work(&self.device);
        let error = pollster::block_on(scope.pop());
        if let Some(error) = error {
            return Err(RenderError::Gpu(error.to_string()));
        }
        self.take_errors()?;
        Ok(value)
    }

    /// Errors reported outside any scope (e.g. during a submit) or a lost device.
    pub fn take_errors(&self) -> Result<(), RenderError> {
        if let Some(reason) = self.lost.lock().ok().and_then(|lost| lost.clone()) {
            return Err(RenderError::DeviceLost(reason));
        }
        let first = self
            .uncaptured
            .lock()
            .ok()
            .and_then(|mut errors| (!errors.is_empty()).then(|| errors.remove(0)));
        match first {
            Some(error) => Err(RenderError::Gpu(error)),
            None => Ok(()),
        }
    }

    pub fn description(&self) -> String {
        format!(
            "{} ({:?}, {:?}, driver {} {})",
            self.info.name,
            self.info.backend,
            self.info.device_type,
            self.info.driver,
            self.info.driver_info
        )
    }
}

fn device_type_rank(device_type: wgpu::DeviceType) -> u32 {
    match device_type {
        wgpu::DeviceType::DiscreteGpu => 0,
        wgpu::DeviceType::IntegratedGpu => 1,
        wgpu::DeviceType::VirtualGpu => 2,
        wgpu::DeviceType::Other => 3,
        wgpu::DeviceType::Cpu => 4,
    }
}

fn backend_rank(backend: wgpu::Backend) -> u32 {
    match backend {
        wgpu::Backend::Vulkan => 0,
        _ => 1,
    }
}

/// Hardware first, then CPU; within each, Vulkan before GL (GL's MSAA resolve
/// is broken on llvmpipe). `preference` (from [`ADAPTER_ENV`]) filters first.
fn choose_adapter(
    adapters: Vec<wgpu::Adapter>,
    preference: &str,
) -> Result<wgpu::Adapter, RenderError> {
    let names: Vec<String> = adapters
        .iter()
        .map(|a| {
            let info = a.get_info();
            format!("{} ({:?})", info.name, info.backend)
        })
        .collect();
    let preference = preference.trim().to_lowercase();
    let mut candidates: Vec<wgpu::Adapter> = adapters
        .into_iter()
        .filter(|a| {
            let info = a.get_info();
            match preference.as_str() {
                "" => true,
                "cpu" => info.device_type == wgpu::DeviceType::Cpu,
                "gpu" => info.device_type != wgpu::DeviceType::Cpu,
                // A name substring, or a backend: `vulkan`, `gl`.
                name => {
                    info.name.to_lowercase().contains(name)
                        || format!("{:?}", info.backend).to_lowercase() == name
                }
            }
        })
        .collect();
    candidates.sort_by_key(|a| {
        let info = a.get_info();
        (
            device_type_rank(info.device_type),
            backend_rank(info.backend),
        )
    });
    candidates
        .into_iter()
        .next()
        .ok_or_else(|| RenderError::NoAdapter {
            detail: if preference.is_empty() {
                String::new()
            } else {
                format!(" matching {ADAPTER_ENV}={preference:?} among {names:?}")
            },
        })
}
