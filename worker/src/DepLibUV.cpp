#define MS_CLASS "DepLibUV"

#include "DepLibUV.hpp"

#include "Logger.hpp"

void DepLibUV::RunLoop()
{
	uv_run(uv_default_loop(), UV_RUN_DEFAULT);
}

void DepLibUV::ClassDestroy()
{
	auto* loop = uv_default_loop();

	// Close any handle still open so uv_loop_close() can succeed.
	uv_walk(
		loop,
		[](uv_handle_t* handle, void* /*arg*/)
		{
			if (!uv_is_closing(handle))
			{
				uv_close(handle, nullptr);
			}
		},
		nullptr);

	uv_run(loop, UV_RUN_DEFAULT);

	const int err = uv_loop_close(loop);

	if (err != 0)
	{
		MS_ERROR("uv_loop_close() failed: %s", uv_strerror(err));
	}
}
