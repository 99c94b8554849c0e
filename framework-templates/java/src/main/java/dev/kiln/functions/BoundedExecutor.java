package dev.kiln.functions;

import java.util.ArrayDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs at most max tasks at once; more wait in a queue and run on the
 * threads that finish. Threads come from a cached pool (a direct hand-off
 * to an idle thread, which a fixed pool's shared queue is slower at) and
 * go after a minute idle.
 */
final class BoundedExecutor implements Executor {
  private final int max;
  private final ThreadPoolExecutor threads;
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private int running;

  BoundedExecutor(int max, String name) {
    this.max = max;
    AtomicInteger n = new AtomicInteger();
    this.threads = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
        r -> new Thread(r, name + "-" + n.incrementAndGet()));
  }

  @Override
  public void execute(Runnable task) {
    synchronized (this) {
      if (running >= max) {
        waiting.add(task);
        return;
      }
      running++;
    }
    threads.execute(() -> runThenDrain(task));
  }

  private void runThenDrain(Runnable task) {
    while (task != null) {
      try {
        task.run();
      } catch (RuntimeException e) {
        Thread t = Thread.currentThread();
        t.getUncaughtExceptionHandler().uncaughtException(t, e);
      }
      synchronized (this) {
        task = waiting.poll();
        if (task == null) running--;
      }
    }
  }

  ExecutorService threads() { return threads; }
}
