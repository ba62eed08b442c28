// The idlab.core-encoders plugin: CPU encoders.
#include "mlp.hpp"

IDLAB_PLUGIN((idlab::PluginInfo{"idlab.core-encoders", "idlab core encoders", "idlab", "1.0.0",
                                "CPU encoders (float32, OpenBLAS): core.mlp"}),
             idlab::core::Mlp)
