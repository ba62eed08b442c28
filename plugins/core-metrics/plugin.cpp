// The core metrics plugin: scores of learned representations against the ground truth.
#include "accuracy.hpp"
#include "head_r2.hpp"
#include "linear_r2.hpp"
#include "mcc.hpp"

#include <idlab/plugin.hpp>

IDLAB_PLUGIN((idlab::PluginInfo{"idlab.core-metrics", "idlab core metrics",
                                "idlab", "1.0.0",
                                "Identifiability metrics: linear R² and singular values (features -> "
                                "latents, head rows -> cluster vectors), MCC, head accuracy"}),
             idlab::core::LinearR2, idlab::core::HeadR2, idlab::core::Mcc, idlab::core::Accuracy)
